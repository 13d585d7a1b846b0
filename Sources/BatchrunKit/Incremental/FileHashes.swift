import Glibc
import Synchronization

/// SHA-256 of input files, kept in `<state-dir>/cache/files.json` and reused while a
/// file's size, modification time and inode are unchanged (as git's index does), so an
/// unchanged tree costs one `stat` per file.
final class FileHashes: Sendable {
  private struct Entry: Sendable {
    var size: Int
    var modified: Int
    var inode: Int
    var hash: String
  }

  private let path: String
  private let entries: Mutex<(known: [String: Entry], changed: Bool)>

  /// The hashes recorded at `path`; none (and `problem` says why) when the file is
  /// damaged, so that every file is hashed again.
  init(path: String) {
    self.path = path
    var known: [String: Entry] = [:]
    var problem: String?
    if let bytes = try? FileBytes.read(path) {
      if case .object(let files)? = (try? JSONParser.parse(bytes))?["files"] {
        for (name, value) in files {
          guard let size = value["size"]?.intValue, let modified = value["mtime_ns"]?.intValue,
            let inode = value["inode"]?.intValue, let hash = value["sha256"]?.stringValue, hash.count == 64
          else { continue }
          known[name] = Entry(size: size, modified: modified, inode: inode, hash: hash)
        }
      } else {
        problem = "\(path) is damaged; every input file is hashed again"
      }
    }
    entries = Mutex((known, false))
    self.problem = problem
  }

  /// Why the recorded hashes could not be read, if they could not.
  let problem: String?

  /// The SHA-256 of the file at `file`, or `nil` if it cannot be read.
  func hash(of file: String) -> String? {
    var info = stat()
    guard stat(file, &info) == 0 else { return nil }
    let key = (
      size: Int(info.st_size), modified: Int(info.st_mtim.tv_sec) * 1_000_000_000 + Int(info.st_mtim.tv_nsec),
      inode: Int(info.st_ino)
    )
    if let known = entries.withLock({ $0.known[file] }), known.size == key.size,
      known.modified == key.modified,
      known.inode == key.inode
    {
      return known.hash
    }
    guard let bytes = try? FileBytes.read(file) else { return nil }
    let hash = SHA256.hex(bytes)
    entries.withLock {
      $0.known[file] = Entry(size: key.size, modified: key.modified, inode: key.inode, hash: hash)
      $0.changed = true
    }
    return hash
  }

  /// Writes the hashes back, atomically, if any changed.
  func save() throws(SystemFailure) {
    let (known, changed) = entries.withLock { ($0.known, $0.changed) }
    guard changed else { return }
    let files = known.sorted { $0.key < $1.key }.map { name, entry -> (String, JSON) in
      (
        name,
        .object([
          ("size", .int(entry.size)), ("mtime_ns", .int(entry.modified)), ("inode", .int(entry.inode)),
          ("sha256", .string(entry.hash)),
        ])
      )
    }
    try RunStore.writeAtomically(
      JSON.object([("version", .int(1)), ("files", .object(files))]).rendered(pretty: false), to: path)
  }
}
