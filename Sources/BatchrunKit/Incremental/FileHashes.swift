import Glibc
import Synchronization

/// SHA-256 of input files, kept in `<state-dir>/cache/files` and reused while a file's
/// size, modification time and inode are unchanged (as git's index does), so an unchanged
/// tree costs one `stat` per file.
///
/// The file is a line of its own (`batchrun file hashes 1`), then one line per file:
/// `SHA256 SIZE MTIME-NS INODE PATH`, read with no JSON parser in the way (10,000 files
/// are read in every no-op run).
final class FileHashes: Sendable {
  private struct Entry: Sendable {
    var size: Int
    var modified: Int
    var inode: Int
    var digest: SIMD32<UInt8>
  }

  static let header = "batchrun file hashes 1"

  private let path: String
  private let entries: Mutex<(known: [String: Entry], changed: Bool)>
  /// Why the recorded hashes could not be read, if they could not.
  let problem: String?

  /// The hashes recorded at `path`; none (and ``problem`` says why) when the file is
  /// damaged, so that every file is hashed again.
  init(path: String) {
    self.path = path
    var known: [String: Entry] = [:]
    var problem: String?
    if let bytes = try? FileBytes.read(path) {
      if let entries = Self.parse(bytes) {
        known = entries
      } else {
        problem = "\(path) is damaged; input files are hashed again"
      }
    }
    entries = Mutex((known, false))
    self.problem = problem
  }

  /// The entries of the file's `bytes`; `nil` if it is damaged. One pass over the bytes,
  /// no array of lines or fields in between.
  private static func parse(_ bytes: [UInt8]) -> [String: Entry]? {
    let header = Array((Self.header + "\n").utf8)
    guard bytes.starts(with: header) else { return nil }
    var known: [String: Entry] = [:]
    known.reserveCapacity(bytes.count / 100)
    let space = UInt8(ascii: " ")
    var start = header.count
    while start < bytes.count {
      let end = bytes[start...].firstIndex(of: 0x0A) ?? bytes.count
      var fields: [Range<Int>] = []
      var field = start
      while fields.count < 4, let next = bytes[field..<end].firstIndex(of: space) {
        fields.append(field..<next)
        field = next + 1
      }
      guard fields.count == 4, field < end, let digest = SHA256.digest(hex: bytes[fields[0]]),
        let size = number(bytes[fields[1]]), let modified = number(bytes[fields[2]]),
        let inode = number(bytes[fields[3]])
      else { return nil }
      known[String(decoding: bytes[field..<end], as: UTF8.self)] = Entry(
        size: size, modified: modified, inode: inode, digest: digest)
      start = end + 1
    }
    return known
  }

  /// A non-negative decimal number, without a `String` in between (10,000 lines are read
  /// in every run).
  private static func number(_ digits: ArraySlice<UInt8>) -> Int? {
    guard !digits.isEmpty else { return nil }
    var value = 0
    for digit in digits {
      guard digit >= 0x30, digit <= 0x39 else { return nil }
      let (times, overflow) = value.multipliedReportingOverflow(by: 10)
      let (sum, carry) = times.addingReportingOverflow(Int(digit - 0x30))
      guard !overflow, !carry else { return nil }
      value = sum
    }
    return value
  }

  /// The SHA-256 of the file `match` found, or `nil` if it cannot be read.
  func digest(of match: InputGlob.Match) -> SIMD32<UInt8>? {
    if let known = entries.withLock({ $0.known[match.path] }), known.size == match.size,
      known.modified == match.modified, known.inode == match.inode
    {
      return known.digest
    }
    guard let bytes = try? FileBytes.read(match.path) else { return nil }
    let digest = SHA256.digest(bytes)
    // A path with a newline cannot be a line: it is hashed every time.
    guard !match.path.contains("\n") else { return digest }
    entries.withLock {
      $0.known[match.path] = Entry(size: match.size, modified: match.modified, inode: match.inode, digest: digest)
      $0.changed = true
    }
    return digest
  }

  /// Writes the hashes back, atomically, if any changed, creating `directory` (the
  /// file's) if need be.
  func save(in directory: String) throws(SystemFailure) {
    let (known, changed) = entries.withLock { ($0.known, $0.changed) }
    guard changed else { return }
    try RunStore.makeDirectories(directory)
    var text = Self.header + "\n"
    for (name, entry) in known.sorted(by: { $0.key < $1.key }) {
      text += "\(SHA256.hex(entry.digest)) \(entry.size) \(entry.modified) \(entry.inode) \(name)\n"
    }
    try RunStore.writeAtomically(text, to: path)
  }
}
