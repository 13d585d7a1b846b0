import CBatchrunShims

/// Replaces the values of a manifest's `secrets` with `***` (docs/manifest.md, "secrets"),
/// in whole texts or in a stream of bytes cut anywhere (see ``Stream``).
///
/// Each value is matched as written, and also as JSON and XML escape it, so that a report
/// or a JUnit file cannot show it escaped. Where values overlap, the leftmost match wins,
/// and the longest of those starting there.
public struct SecretMasker: Sendable {
  /// What a value becomes.
  static let replacement: [UInt8] = Array("***".utf8)
  /// Values shorter than this are not masked: `***` would hide every `a` of a log.
  static let minimumLength = 4

  /// The byte patterns to replace, longest first.
  let patterns: [[UInt8]]
  /// The longest pattern's length.
  let longest: Int

  /// A masker for `values`; those shorter than ``minimumLength`` are left out.
  public init(values: some Sequence<String>) {
    var unique = Set<[UInt8]>()
    for value in values where value.unicodeScalars.count >= Self.minimumLength {
      unique.insert(Array(value.utf8))
      unique.insert(Array(JSON.quote(value).utf8.dropFirst().dropLast()))
      unique.insert(Array(Self.xmlEscaped(value).utf8))
    }
    patterns = unique.sorted { $0.count != $1.count ? $0.count > $1.count : $0.lexicographicallyPrecedes($1) }
    longest = patterns.first?.count ?? 0
  }

  /// Whether there is nothing to mask.
  var isEmpty: Bool { patterns.isEmpty }

  /// `text` with every value replaced.
  func mask(_ text: String) -> String {
    guard !isEmpty else { return text }
    return String(decoding: mask(Array(text.utf8)), as: UTF8.self)
  }

  /// `bytes` with every value replaced.
  func mask(_ bytes: [UInt8]) -> [UInt8] {
    guard !isEmpty else { return bytes }
    var out: [UInt8] = []
    out.reserveCapacity(bytes.count)
    _ = bytes.withUnsafeBytes { scan($0, final: true, into: &out) }
    return out
  }

  /// Masks bytes that arrive in pieces: a value split between two pieces is still
  /// found, since the end of a piece that may begin one is held back until the next.
  public struct Stream: Sendable {
    let masker: SecretMasker
    /// Bytes not yet passed on: the end of the last piece.
    private var pending: [UInt8] = []

    public init(_ masker: SecretMasker) {
      self.masker = masker
    }

    /// Takes the next piece; `emit` gets what is certain to need no more masking.
    public mutating func feed(_ piece: some Collection<UInt8>, emit: (UnsafeRawBufferPointer) -> Void) {
      pending.append(contentsOf: piece)
      var out: [UInt8] = []
      let kept = pending.withUnsafeBytes { masker.scan($0, final: false, into: &out) }
      pending.removeFirst(pending.count - kept)
      out.withUnsafeBytes(emit)
    }

    /// Ends the stream: passes on what was held back, masked.
    public mutating func finish(emit: (UnsafeRawBufferPointer) -> Void) {
      var out: [UInt8] = []
      _ = pending.withUnsafeBytes { masker.scan($0, final: true, into: &out) }
      pending = []
      out.withUnsafeBytes(emit)
    }
  }

  /// Appends `bytes` masked to `out`, except (unless `final`) its last bytes that may
  /// begin a value; returns how many bytes it kept back.
  ///
  /// Written for speed: one search per value and match (`memmem`), plain copies into
  /// `out`, and no closure per piece (a log with a value in every line has millions).
  func scan(_ bytes: UnsafeRawBufferPointer, final: Bool, into out: inout [UInt8]) -> Int {
    let count = bytes.count
    guard let base = bytes.baseAddress, count > 0 else { return 0 }
    // A match may start only before `limit`: one starting later may not be whole yet.
    let limit = final ? count : max(0, count - (longest - 1))
    var emitted = 0
    func copy(_ start: Int, _ end: Int) {
      out.append(
        contentsOf: UnsafeBufferPointer(
          start: base.assumingMemoryBound(to: UInt8.self) + start, count: end - start))
    }
    if patterns.count == 1 {
      // The common case: one value (its escaped forms are the same text).
      patterns[0].withUnsafeBytes { needle in
        let length = needle.count
        while emitted < limit,
          let found = batchrun_memmem(base + emitted, count - emitted, needle.baseAddress, length)
        {
          let at = base.distance(to: UnsafeRawPointer(found))
          guard at < limit else { break }
          copy(emitted, at)
          out.append(contentsOf: Self.replacement)
          emitted = at + length
        }
      }
    } else {
      var next = [Int](repeating: -1, count: patterns.count)
      while true {
        var best = Int.max
        var bestIndex = -1
        for index in patterns.indices {
          if next[index] < emitted {
            next[index] = patterns[index].withUnsafeBytes { needle in
              guard emitted < count,
                let found = batchrun_memmem(base + emitted, count - emitted, needle.baseAddress, needle.count)
              else { return Int.max }
              return base.distance(to: UnsafeRawPointer(found))
            }
          }
          // Longest first: a tie keeps the longer pattern.
          if next[index] < best {
            best = next[index]
            bestIndex = index
          }
        }
        guard bestIndex >= 0, best < limit else { break }
        copy(emitted, best)
        out.append(contentsOf: Self.replacement)
        emitted = best + patterns[bestIndex].count
      }
    }
    let end = max(emitted, limit)
    if end > emitted { copy(emitted, end) }
    return count - end
  }

  static func xmlEscaped(_ text: String) -> String {
    var result = ""
    for character in text {
      switch character {
      case "&": result += "&amp;"
      case "<": result += "&lt;"
      case ">": result += "&gt;"
      case "\"": result += "&quot;"
      case "'": result += "&apos;"
      default: result.append(character)
      }
    }
    return result
  }
}
