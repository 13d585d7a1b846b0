/// Splits a job's output into lines for the console, cutting a line longer than
/// ``limit`` bytes with a marker, so that one huge line costs bounded memory (the log
/// keeps it whole).
struct LineCutter: Sendable {
  /// The longest line the console shows, in bytes.
  static let limit = 65536

  /// Appended to a cut line, e.g. ` … [line cut at 64 KiB; whole in logs/a.log]`.
  let marker: [UInt8]
  private var partial: [UInt8] = []
  /// The current line was cut: skip its rest up to the newline.
  private var skipping = false

  init(log: String) {
    marker = Array(" … [line cut at \(Self.limit / 1024) KiB; whole in \(log)]".utf8)
  }

  /// Whether a line has begun without its newline yet.
  var hasPartialLine: Bool { !partial.isEmpty }

  /// Feeds `bytes`, appending each complete (or cut) line to `out` after `prefix`, with
  /// a newline.
  mutating func feed(_ bytes: ArraySlice<UInt8>, prefix: [UInt8] = [], into out: inout [UInt8]) {
    var rest = bytes
    while !rest.isEmpty {
      let newline = rest.firstIndex(of: UInt8(ascii: "\n"))
      let piece = rest[..<(newline ?? rest.endIndex)]
      if !skipping {
        if partial.count + piece.count > Self.limit {
          out += prefix
          out += partial
          out += piece.prefix(Self.limit - partial.count)
          out += marker
          out.append(UInt8(ascii: "\n"))
          partial = []
          skipping = true
        } else if let newline {
          out += prefix
          out += partial
          out += rest[rest.startIndex...newline]
          partial = []
        } else {
          partial += piece
        }
      }
      guard let newline else { return }
      skipping = false
      rest = rest[(newline + 1)...]
    }
  }

  /// Appends the last line, if it has no newline, to `out` after `prefix`.
  mutating func finish(prefix: [UInt8] = [], into out: inout [UInt8]) {
    if !partial.isEmpty, !skipping {
      out += prefix
      out += partial
      out.append(UInt8(ascii: "\n"))
    }
    partial = []
    skipping = false
  }
}
