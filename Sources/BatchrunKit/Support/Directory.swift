import Glibc

/// Directory listing and removal with plain POSIX calls.
enum Directory {
  /// The names in `directory`, without `.` and `..`; none when it cannot be read.
  static func entries(of directory: String) -> [String] {
    typedEntries(of: directory).map(\.name)
  }

  /// The entries of `directory` (without `.` and `..`) and whether each is a directory,
  /// as `readdir` says (`nil` when it does not know: ask `stat`).
  static func typedEntries(of directory: String) -> [(name: String, isDirectory: Bool?)] {
    guard let handle = opendir(directory) else { return [] }
    defer { closedir(handle) }
    var entries: [(name: String, isDirectory: Bool?)] = []
    while let entry = readdir(handle) {
      let name = withUnsafeBytes(of: &entry.pointee.d_name) {
        String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self)
      }
      guard name != ".", name != ".." else { continue }
      let type = Int32(entry.pointee.d_type)
      entries.append((name, type == DT_UNKNOWN || type == DT_LNK ? nil : type == DT_DIR))
    }
    return entries
  }

  /// Removes `path` and, for a directory, everything in it; what cannot be removed stays.
  static func removeTree(_ path: String) {
    var info = stat()
    guard lstat(path, &info) == 0 else { return }
    if (info.st_mode & S_IFMT) == S_IFDIR {
      for name in entries(of: path) { removeTree(path + "/" + name) }
      rmdir(path)
    } else {
      unlink(path)
    }
  }
}
