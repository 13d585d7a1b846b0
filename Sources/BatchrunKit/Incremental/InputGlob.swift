import Glibc

/// The files an `inputs` pattern matches, relative to a job's directory: `*`, `?` and
/// `[...]` within a name (`fnmatch`), `**` for any number of directories. A pattern that
/// names a directory stands for every file under it. Hidden names match only patterns
/// that spell their dot, as in a shell.
enum InputGlob {
  /// A matched file and what says whether it changed.
  struct Match: Sendable, Hashable {
    var path: String
    var size: Int
    /// Modification time, in nanoseconds since the epoch.
    var modified: Int
    var inode: Int
  }

  /// The regular files `pattern` matches in `directory`, as absolute paths, sorted.
  static func files(matching pattern: String, in directory: String) -> [String] {
    matches(pattern, in: directory).map(\.path)
  }

  /// The regular files `pattern` matches in `directory`, sorted by path, each with the
  /// `stat` that found it (one per file: relative to the directory being read, so that a
  /// file costs no walk of its whole path).
  static func matches(_ pattern: String, in directory: String) -> [Match] {
    let absolute = pattern.hasPrefix("/")
    var parts = pattern.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
    parts.removeAll { $0 == "." }
    var found: [Match] = []
    walk(absolute ? "" : directory, parts[...], into: &found)
    found.sort { $0.path < $1.path }
    // `**` reaches a file along more than one path (`src/**` through `src` and `src/deep`).
    if parts.contains("**") {
      found = found.reduce(into: []) { unique, match in
        if unique.last?.path != match.path { unique.append(match) }
      }
    }
    return found
  }

  private static func walk(_ base: String, _ parts: ArraySlice<String>, into found: inout [Match]) {
    guard let part = parts.first else {
      var info = stat()
      guard stat(base, &info) == 0 else { return }
      collect(base, info, into: &found)
      return
    }
    let rest = parts.dropFirst()
    if part == "**" {
      // Zero directories, then each directory below, recursively.
      walk(base, rest, into: &found)
      for entry in Directory.typedEntries(of: base.isEmpty ? "/" : base) where !entry.name.hasPrefix(".") {
        let path = base + "/" + entry.name
        if entry.isDirectory ?? isDirectory(path) { walk(path, parts, into: &found) }
      }
      return
    }
    guard part.contains(where: { "*?[".contains($0) }) else {
      walk(base + "/" + part, rest, into: &found)
      return
    }
    let hidden = part.hasPrefix(".")
    Directory.forEachEntry(of: base.isEmpty ? "/" : base) { descriptor, name, isDirectory in
      if name[0] == 0x2E, !hidden { return }
      guard fnmatch(part, name, 0) == 0 else { return }
      let path = base + "/" + String(cString: name)
      if rest.isEmpty {
        var info = stat()
        guard fstatat(descriptor, name, &info, 0) == 0 else { return }
        collect(path, info, into: &found)
      } else if isDirectory ?? Self.isDirectory(path) {
        walk(path, rest, into: &found)
      }
    }
  }

  /// `path` itself when it is a file (`info` is its `stat`); every file below it when it
  /// is a directory.
  private static func collect(_ path: String, _ info: stat, into found: inout [Match]) {
    switch info.st_mode & S_IFMT {
    case S_IFREG:
      found.append(
        Match(
          path: path, size: Int(info.st_size),
          modified: Int(info.st_mtim.tv_sec) * 1_000_000_000 + Int(info.st_mtim.tv_nsec),
          inode: Int(info.st_ino)))
    case S_IFDIR:
      Directory.forEachEntry(of: path) { descriptor, name, _ in
        var info = stat()
        guard fstatat(descriptor, name, &info, 0) == 0 else { return }
        collect(path + "/" + String(cString: name), info, into: &found)
      }
    default: break
    }
  }

  private static func isDirectory(_ path: String) -> Bool {
    var info = stat()
    return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
  }
}
