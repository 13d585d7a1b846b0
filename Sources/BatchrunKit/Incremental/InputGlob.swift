import Glibc

/// The files an `inputs` pattern matches, relative to a job's directory: `*`, `?` and
/// `[...]` within a name (`fnmatch`), `**` for any number of directories. A pattern that
/// names a directory stands for every file under it. Hidden names match only patterns
/// that spell their dot, as in a shell.
enum InputGlob {
  /// The regular files `pattern` matches in `directory`, as absolute paths, sorted.
  static func files(matching pattern: String, in directory: String) -> [String] {
    let absolute = pattern.hasPrefix("/")
    var parts = pattern.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
    parts.removeAll { $0 == "." }
    var found: [String] = []
    walk(absolute ? "" : directory, parts[...], into: &found)
    // `**` reaches a file along more than one path (`src/**` through `src` and `src/deep`).
    return Array(Set(found)).sorted()
  }

  private static func walk(_ base: String, _ parts: ArraySlice<String>, into found: inout [String]) {
    guard let part = parts.first else {
      collect(base, into: &found)
      return
    }
    let rest = parts.dropFirst()
    if part == "**" {
      // Zero directories, then each directory below, recursively.
      walk(base, rest, into: &found)
      for name in Directory.entries(of: base.isEmpty ? "/" : base).sorted() where !name.hasPrefix(".") {
        let path = base + "/" + name
        if isDirectory(path) { walk(path, parts, into: &found) }
      }
      return
    }
    guard part.contains(where: { "*?[".contains($0) }) else {
      let path = base + "/" + part
      if exists(path) { walk(path, rest, into: &found) }
      return
    }
    for name in Directory.entries(of: base.isEmpty ? "/" : base).sorted() {
      if name.hasPrefix("."), !part.hasPrefix(".") { continue }
      guard fnmatch(part, name, 0) == 0 else { continue }
      let path = base + "/" + name
      if rest.isEmpty || isDirectory(path) { walk(path, rest, into: &found) }
    }
  }

  /// `path` itself when it is a file; every file below it when it is a directory.
  private static func collect(_ path: String, into found: inout [String]) {
    var info = stat()
    guard stat(path, &info) == 0 else { return }
    switch info.st_mode & S_IFMT {
    case S_IFREG: found.append(path)
    case S_IFDIR:
      for name in Directory.entries(of: path).sorted() { collect(path + "/" + name, into: &found) }
    default: break
    }
  }

  private static func exists(_ path: String) -> Bool {
    var info = stat()
    return stat(path, &info) == 0
  }

  private static func isDirectory(_ path: String) -> Bool {
    var info = stat()
    return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
  }
}
