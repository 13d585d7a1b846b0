import Glibc

/// The state directory: `runs/<run-id>/` per run, a `latest` link, and pruning.
public struct RunStore: Sendable {
  /// Runs kept after pruning, this one included.
  static let keptRuns = 20

  /// The state directory, absolute: jobs get paths inside it in their own working directory.
  public let stateDirectory: String

  /// - Parameter stateDirectory: absolute, or relative to the current directory.
  public init(stateDirectory: String) {
    self.stateDirectory = Environment.absolute(stateDirectory)
  }

  /// The default state directory: `.batchrun` beside the manifest.
  public init(manifest: Manifest) {
    self.init(manifestPath: manifest.path)
  }

  /// The default state directory, `.batchrun` beside the manifest at `manifestPath`
  /// (known before the manifest is read).
  public init(manifestPath: String) {
    self.init(stateDirectory: ManifestLoader.directory(of: manifestPath) + "/.batchrun")
  }

  /// A new, sortable run id: the UTC start time and a random suffix.
  static func newRunID(at time: WallClock.Instant) -> String {
    let suffix = String(UInt32.random(in: 0...0xFFFF_FFFF), radix: 16)
    return time.compact + "-" + String(repeating: "0", count: 8 - suffix.count) + suffix
  }

  public func runDirectory(_ runID: String) -> String {
    stateDirectory + "/runs/" + runID
  }

  /// The ids of the runs kept, oldest first (ids sort by start time).
  public func runIDs() -> [String] {
    Directory.entries(of: stateDirectory + "/runs").filter { !$0.hasPrefix(".") }.sorted()
  }

  /// Where to read a report named on the command line: `name` itself when something is
  /// there, else the run of that id in this state directory, if there is one.
  public func reportPath(of name: String) -> String {
    var info = stat()
    if stat(name, &info) != 0, !name.contains("/"), stat(runDirectory(name), &info) == 0 {
      return runDirectory(name)
    }
    return name
  }

  /// Creates `runs/<run-id>/logs/` and takes the run's lock, which tells other
  /// batchrun processes pruning the same state directory that this run is going on.
  func create(runID: String) throws(SystemFailure) -> RunLock {
    try Self.makeDirectories(runDirectory(runID) + "/logs")
    let fd = open(runDirectory(runID) + "/.lock", O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
    guard fd >= 0, flock(fd, LOCK_EX | LOCK_NB) == 0 else {
      throw SystemFailure("cannot lock run", path: runDirectory(runID) + "/.lock")
    }
    return RunLock(fd: fd)
  }

  /// Whether another process holds the run's lock (the run is still going).
  func isRunning(_ runID: String) -> Bool {
    let fd = open(runDirectory(runID) + "/.lock", O_WRONLY | O_CLOEXEC)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    return flock(fd, LOCK_EX | LOCK_NB) != 0
  }

  /// Points `latest` at the run, atomically (a new link renamed over the old one); the
  /// new link never stays behind.
  func markLatest(runID: String) throws(SystemFailure) {
    let temporary = stateDirectory + "/.latest-" + runID
    let latest = stateDirectory + "/latest"
    unlink(temporary)
    var info = stat()
    if lstat(latest, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR {
      throw SystemFailure(
        "cannot update", path: latest, reason: "it is a directory, not a link batchrun made")
    }
    guard symlink("runs/" + runID, temporary) == 0 else {
      throw SystemFailure("cannot update", path: latest)
    }
    guard rename(temporary, latest) == 0 else {
      let failure = SystemFailure("cannot update", path: latest)
      unlink(temporary)
      throw failure
    }
  }

  /// Keeps `keep` and the newest ``keptRuns`` - 1 other runs (by id, which sorts by
  /// start time); removes the older ones, except runs another process is still running.
  func prune(keeping keep: String) {
    let others = runIDs().filter { $0 != keep }
    guard others.count >= Self.keptRuns else { return }
    for old in others.prefix(others.count - (Self.keptRuns - 1)) where !isRunning(old) {
      Directory.removeTree(stateDirectory + "/runs/" + old)
    }
  }

  /// What ``writeUserFile(to:console:_:)`` and ``writeAtomically(to:_:)`` write: a function
  /// that hands the text, in pieces, to the function it is given, and stops (returning
  /// `false`) as soon as that one returns `false`.
  typealias Text = (_ emit: ([UInt8]) -> Bool) -> Bool

  /// Writes `text` where the user asked (`--report`, `--junit`) without replacing what
  /// the path names: a regular file (after symbolic links are followed) is replaced
  /// atomically; a device, FIFO or `/dev/stdout`-like path is opened and written into; a
  /// directory is an error. A path to the console's own file goes through `console`, so
  /// that it lands after what the console printed before it.
  static func writeUserFile(
    to path: String, console: (any ConsoleSink)? = nil, _ text: Text
  ) throws(SystemFailure) {
    var info = stat()
    var consoleInfo = stat()
    if let console, let fd = console.descriptor, stat(path, &info) == 0, fstat(fd, &consoleInfo) == 0,
      info.st_dev == consoleInfo.st_dev, info.st_ino == consoleInfo.st_ino
    {
      _ = text { piece in
        console.write(String(decoding: piece, as: UTF8.self), droppable: false)
        return true
      }
      return
    }
    guard stat(path, &info) == 0 else {
      guard errno == ENOENT else { throw cannotWrite(path) }
      // A dangling link: create the file it names, and keep the link.
      if lstat(path, &info) == 0 { return try writeInPlace(to: path, flags: O_CREAT | O_TRUNC, text) }
      return try writeAtomically(to: path, text)
    }
    switch info.st_mode & S_IFMT {
    case S_IFDIR:
      throw SystemFailure("cannot write", path: path, reason: "it is a directory")
    case S_IFREG where !path.hasPrefix("/dev/") && !path.hasPrefix("/proc/"):
      guard let resolved = realpath(path, nil) else { throw cannotWrite(path) }
      defer { free(resolved) }
      try writeAtomically(to: String(cString: resolved), text)
    default:
      // A device, a FIFO, or a descriptor's file through /dev/stdout or /proc/self/fd:
      // appended, as `>>` would, so that what the descriptor already holds stays.
      try writeInPlace(to: path, flags: O_APPEND, text)
    }
  }

  /// ``writeUserFile(to:console:_:)`` of a string.
  static func writeUserFile(_ text: String, to path: String, console: (any ConsoleSink)? = nil)
    throws(SystemFailure)
  {
    try writeUserFile(to: path, console: console) { emit in emit(Array(text.utf8)) }
  }

  private static func writeInPlace(to path: String, flags: Int32, _ text: Text) throws(SystemFailure) {
    let fd = open(path, O_WRONLY | O_CLOEXEC | flags, 0o644)
    guard fd >= 0 else { throw cannotWrite(path) }
    defer { close(fd) }
    guard text({ FileBytes.writeAll(fd, $0) }) else { throw cannotWrite(path) }
  }

  /// Writes `text` to `path` atomically: a temporary file in the same directory, then rename.
  static func writeAtomically(to path: String, _ text: Text) throws(SystemFailure) {
    let temporary = path + ".tmp-\(getpid())"
    let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    guard fd >= 0 else { throw cannotWrite(path) }
    let written = text { FileBytes.writeAll(fd, $0) }
    let error = errno
    let synced = written && fsync(fd) == 0
    close(fd)
    guard synced, rename(temporary, path) == 0 else {
      let failure = cannotWrite(path, written ? errno : error)
      unlink(temporary)
      throw failure
    }
  }

  /// ``writeAtomically(to:_:)`` of a string.
  static func writeAtomically(_ text: String, to path: String) throws(SystemFailure) {
    try writeAtomically(to: path) { emit in emit(Array(text.utf8)) }
  }

  /// "cannot write PATH: REASON", by default the reason `errno` gives.
  private static func cannotWrite(_ path: String, _ error: Int32 = errno) -> SystemFailure {
    SystemFailure("cannot write", path: path, errno: error)
  }

  static func makeDirectories(_ path: String) throws(SystemFailure) {
    var prefix = path.hasPrefix("/") ? "/" : ""
    for component in path.split(separator: "/") {
      prefix += component
      if mkdir(prefix, 0o755) != 0, errno != EEXIST {
        throw SystemFailure("cannot create", path: prefix)
      }
      prefix += "/"
    }
  }
}

/// A run's lock, held from its start until it is released or the process ends.
final class RunLock: Sendable {
  private let fd: Int32

  init(fd: Int32) {
    self.fd = fd
  }

  deinit { close(fd) }
}
