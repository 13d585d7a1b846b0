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
    var entries: [(name: String, isDirectory: Bool?)] = []
    forEachEntry(of: directory) { _, name, isDirectory in
      entries.append((String(cString: name), isDirectory))
    }
    return entries
  }

  /// Calls `body` for each entry of `directory` (without `.` and `..`; none when it cannot
  /// be read) with the open directory's descriptor, for `fstatat` and `openat`, the
  /// entry's NUL-terminated name, valid only during the call, and whether it is a
  /// directory as `readdir` says (`nil` when it does not know: ask `stat`).
  static func forEachEntry(
    of directory: String,
    _ body: (_ descriptor: Int32, _ name: UnsafePointer<CChar>, _ isDirectory: Bool?) -> Void
  ) {
    guard let handle = opendir(directory) else { return }
    defer { closedir(handle) }
    let descriptor = dirfd(handle)
    while let entry = readdir(handle) {
      withUnsafeBytes(of: &entry.pointee.d_name) { bytes in
        let name = bytes.baseAddress!.assumingMemoryBound(to: CChar.self)
        // "." and "..".
        if name[0] == 0x2E, name[1] == 0 || (name[1] == 0x2E && name[2] == 0) { return }
        let type = Int32(entry.pointee.d_type)
        body(descriptor, name, type == DT_UNKNOWN || type == DT_LNK ? nil : type == DT_DIR)
      }
    }
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
