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
  /// `stat` that found it (one per file).
  static func matches(_ pattern: String, in directory: String) -> [Match] {
    let absolute = pattern.hasPrefix("/")
    var parts = pattern.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
    parts.removeAll { $0 == "." }
    var found: [String: Match] = [:]
    walk(absolute ? "" : directory, parts[...], into: &found)
    // `**` reaches a file along more than one path (`src/**` through `src` and `src/deep`).
    return found.values.sorted { $0.path < $1.path }
  }

  private static func walk(_ base: String, _ parts: ArraySlice<String>, into found: inout [String: Match]) {
    guard let part = parts.first else {
      collect(base, into: &found)
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
    for entry in Directory.typedEntries(of: base.isEmpty ? "/" : base) {
      if entry.name.hasPrefix("."), !part.hasPrefix(".") { continue }
      guard fnmatch(part, entry.name, 0) == 0 else { continue }
      let path = base + "/" + entry.name
      if rest.isEmpty || (entry.isDirectory ?? isDirectory(path)) { walk(path, rest, into: &found) }
    }
  }

  /// `path` itself when it is a file; every file below it when it is a directory.
  private static func collect(_ path: String, into found: inout [String: Match]) {
    var info = stat()
    guard stat(path, &info) == 0 else { return }
    switch info.st_mode & S_IFMT {
    case S_IFREG:
      found[path] = Match(
        path: path, size: Int(info.st_size),
        modified: Int(info.st_mtim.tv_sec) * 1_000_000_000 + Int(info.st_mtim.tv_nsec),
        inode: Int(info.st_ino))
    case S_IFDIR:
      for entry in Directory.typedEntries(of: path) { collect(path + "/" + entry.name, into: &found) }
    default: break
    }
  }

  private static func isDirectory(_ path: String) -> Bool {
    var info = stat()
    return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
  }
}
