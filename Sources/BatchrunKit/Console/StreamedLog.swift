import Glibc

/// A log followed as it grows, for `--output stream`: whole lines only, each prefixed,
/// long lines cut, and at most ``readLimit`` bytes held at a time.
struct StreamedLog: Sendable {
  /// Bytes read from the log per call.
  static let readLimit = 1 << 20

  let path: String
  let prefix: String
  private let prefixBytes: [UInt8]
  private var offset: Int64 = 0
  private var lines: LineCutter
  /// Output was refused and a marker printed: no other marker until some is taken again.
  var dropping = false

  init(directory: String, log: String, prefix: String) {
    path = directory + "/" + log
    self.prefix = prefix
    prefixBytes = Array(prefix.utf8)
    lines = LineCutter(log: path)
  }

  /// The lines written since the last call, from at most ``readLimit`` bytes, and whether
  /// more is waiting; with `final`, the last partial line too once all is read.
  mutating func read(final: Bool) -> (text: String, more: Bool) {
    var out: [UInt8] = []
    var more = false
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    if fd >= 0 {
      defer { close(fd) }
      var chunk = [UInt8](repeating: 0, count: 65536)
      var taken = 0
      while true {
        if taken >= Self.readLimit {
          more = true
          break
        }
        let count = chunk.withUnsafeMutableBytes { buffer in
          retryingOnInterrupt { pread(fd, buffer.baseAddress, buffer.count, off_t(offset)) }
        }
        guard count > 0 else { break }
        offset += Int64(count)
        taken += count
        lines.feed(chunk[0..<count], prefix: prefixBytes, into: &out)
      }
    }
    if final, !more { lines.finish(prefix: prefixBytes, into: &out) }
    return (String(decoding: out, as: UTF8.self), more)
  }

  /// Skips what the log holds now: the console could not take it. Returns whether
  /// anything was skipped.
  @discardableResult
  mutating func skipToEnd() -> Bool {
    var info = stat()
    let end = stat(path, &info) == 0 ? Int64(info.st_size) : offset
    defer { offset = max(offset, end) }
    guard end > offset || lines.hasPartialLine else { return false }
    lines = LineCutter(log: path)
    return true
  }
}
