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
  /// The hashes read from the file: never changed, so looked up without a lock (by
  /// several threads at once, in a run's first moments).
  private let recorded: [String: Entry]
  /// The hashes taken in this run.
  private let added = Mutex<[String: Entry]>([:])
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
    recorded = known
    self.problem = problem
  }

  /// The entries of the file's `bytes`; `nil` if it is damaged. One pass over the bytes,
  /// no array of lines or fields in between.
  private static func parse(_ bytes: [UInt8]) -> [String: Entry]? {
    let header = Array((Self.header + "\n").utf8)
    guard bytes.starts(with: header) else { return nil }
    return bytes.withUnsafeBufferPointer { bytes -> [String: Entry]? in
      var known: [String: Entry] = [:]
      known.reserveCapacity(bytes.count / 100)
      var start = header.count
      while start < bytes.count {
        var end = start
        while end < bytes.count, bytes[end] != 0x0A { end += 1 }
        // SHA256 SIZE MTIME-NS INODE PATH: four fields ended by a space, then the path.
        func space(from index: Int) -> Int? {
          var index = index
          while index < end, bytes[index] != 0x20 { index += 1 }
          return index < end ? index : nil
        }
        guard let hashEnd = space(from: start), let sizeEnd = space(from: hashEnd + 1),
          let modifiedEnd = space(from: sizeEnd + 1), let inodeEnd = space(from: modifiedEnd + 1),
          inodeEnd + 1 < end,
          let digest = SHA256.digest(hex: UnsafeBufferPointer(rebasing: bytes[start..<hashEnd])),
          let size = number(bytes[hashEnd + 1..<sizeEnd]),
          let modified = number(bytes[sizeEnd + 1..<modifiedEnd]),
          let inode = number(bytes[modifiedEnd + 1..<inodeEnd])
        else { return nil }
        let path = UnsafeBufferPointer(rebasing: bytes[inodeEnd + 1..<end])
        known[String(decoding: path, as: UTF8.self)] = Entry(
          size: size, modified: modified, inode: inode, digest: digest)
        start = end + 1
      }
      return known
    }
  }

  /// A non-negative decimal number, without a `String` in between (10,000 lines are read
  /// in every run).
  private static func number(_ digits: Slice<UnsafeBufferPointer<UInt8>>) -> Int? {
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

  /// The SHA-256 recorded for the file `match` found, if its size, modification time and
  /// inode are the ones recorded with it.
  func cachedDigest(of match: InputGlob.Match) -> SIMD32<UInt8>? {
    func matching(_ entry: Entry?) -> SIMD32<UInt8>? {
      guard let entry, entry.size == match.size, entry.modified == match.modified, entry.inode == match.inode
      else { return nil }
      return entry.digest
    }
    return matching(recorded[match.path]) ?? matching(added.withLock { $0[match.path] })
  }

  /// The SHA-256 of the file `match` found (read only when ``cachedDigest(of:)`` has
  /// none), or `nil` if it cannot be read.
  func digest(of match: InputGlob.Match) -> SIMD32<UInt8>? {
    if let known = cachedDigest(of: match) { return known }
    guard let bytes = try? FileBytes.read(match.path) else { return nil }
    let digest = SHA256.digest(bytes)
    // A path with a newline cannot be a line: it is hashed every time.
    guard !match.path.contains("\n") else { return digest }
    added.withLock {
      $0[match.path] = Entry(size: match.size, modified: match.modified, inode: match.inode, digest: digest)
    }
    return digest
  }

  /// Writes the hashes back, atomically, if any changed, creating `directory` (the
  /// file's) if need be.
  func save(in directory: String) throws(SystemFailure) {
    let added = added.withLock { $0 }
    guard !added.isEmpty else { return }
    let known = recorded.merging(added) { _, new in new }
    try RunStore.makeDirectories(directory)
    var text = Self.header + "\n"
    for (name, entry) in known.sorted(by: { $0.key < $1.key }) {
      text += "\(SHA256.hex(entry.digest)) \(entry.size) \(entry.modified) \(entry.inode) \(name)\n"
    }
    try RunStore.writeAtomically(text, to: path)
  }
}
