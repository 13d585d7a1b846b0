import Foundation
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// Runs a program (by default the built `batchrun`) the way a user's shell would, and
/// captures what it printed and how it ended.
///
/// The child starts in a process group of its own, with an empty signal mask, default
/// signal dispositions, `/dev/null` as standard input and no file descriptor but 0-2.
/// Standard output and standard error go to temporary files outside the working
/// directory, so a test can check that a command wrote nothing into its cwd.
///
/// Foundation's `Process` is not used: on Linux its children inherit the signal mask of
/// the (dispatch) thread that starts them, which blocks SIGTERM, SIGINT and SIGCHLD, and it
/// reports an exit only once every descendant that inherited its private socket has
/// exited, so a job left running in the background would delay the result.
struct BatchrunProcess {
  /// A signal to send some time after the process started.
  struct ScheduledSignal: Sendable {
    var signal: Int32
    var delay: Duration
    /// Send it to the whole process group, as a terminal does for Ctrl-C.
    var toGroup: Bool
    /// The delay counts from batchrun's first instruction (seen in /proc as SIGPIPE
    /// ignored, its first act), not from the spawn.
    var afterMain: Bool

    init(_ signal: Int32, after delay: Duration, toGroup: Bool = false, afterMain: Bool = false) {
      self.signal = signal
      self.delay = delay
      self.toGroup = toGroup
      self.afterMain = afterMain
    }
  }

  /// How a run ended, and what it printed.
  struct Result: Sendable, CustomStringConvertible {
    /// The process id it ran as (also its process group id).
    var pid: pid_t
    /// The exit status if the process exited, else `nil`.
    var exitCode: Int32?
    /// The signal that ended the process, if one did.
    var signal: Int32?
    var stdout: String
    var stderr: String
    /// Whether the helper killed the process because it overran its timeout.
    var timedOut: Bool
    /// How long the process ran.
    var elapsed: Duration
    /// When each scheduled signal was sent, from the start, in order; a signal not sent
    /// (the process ended first, or this process was starved until then) is missing.
    var signalsSent: [Duration] = []

    /// The non-empty lines of standard error.
    var stderrLines: [String] { stderr.split(separator: "\n").map(String.init) }
    /// The non-empty lines of standard output.
    var stdoutLines: [String] { stdout.split(separator: "\n").map(String.init) }

    var description: String {
      let ending = exitCode.map { "exit \($0)" } ?? signal.map { "signal \($0)" } ?? "unknown"
      return "\(ending)\(timedOut ? " (timed out)" : ""), stdout:\n\(stdout)\nstderr:\n\(stderr)"
    }
  }

  struct LaunchError: Error, CustomStringConvertible {
    var description: String
  }

  /// The `batchrun` built beside the test bundle (`.build/<triple>/debug/batchrun`).
  static var batchrunURL: URL {
    get throws {
      let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
      var directory = executable.deletingLastPathComponent()
      // On some platforms the test binary sits inside a bundle directory (`*.xctest/...`).
      while directory.path != "/" {
        let candidate = directory.appendingPathComponent("batchrun")
        if FileManager.default.isExecutableFile(atPath: candidate.path) {
          return candidate
        }
        guard directory.path.contains(".xctest") else { break }
        directory.deleteLastPathComponent()
      }
      throw LaunchError(
        description: "the built batchrun is missing next to \(executable.path); run `swift build` first")
    }
  }

  /// Runs `batchrun` with `arguments`; see ``run(_:_:in:environment:removingEnvironment:signals:timeout:stdout:)``.
  static func batchrun(
    _ arguments: [String], in directory: URL? = nil, environment: [String: String] = [:],
    removingEnvironment: [String] = [], signals: [ScheduledSignal] = [], timeout: Duration = .seconds(60),
    stdout: String? = nil
  ) async throws -> Result {
    try await run(
      try batchrunURL, arguments, in: directory, environment: environment,
      removingEnvironment: removingEnvironment, signals: signals, timeout: timeout, stdout: stdout)
  }

  /// Runs `executable` with `arguments` in `directory` (default: the current one), with
  /// this process's environment plus `environment` and without `removingEnvironment`.
  ///
  /// Each of `signals` is sent after its delay if the process has not exited. After
  /// `timeout` its process group is sent SIGKILL and the result says `timedOut`.
  ///
  /// `stdout`, if given, is a path opened as the standard output instead of a capture
  /// file (e.g. `/proc/self/fd/N` for a pipe of the test's); the result's `stdout` is then empty.
  static func run(
    _ executable: URL, _ arguments: [String], in directory: URL? = nil,
    environment: [String: String] = [:], removingEnvironment: [String] = [],
    signals: [ScheduledSignal] = [], timeout: Duration = .seconds(60), stdout: String? = nil
  ) async throws -> Result {
    let capture = try TemporaryDirectory(prefix: "batchrun-capture")
    let stdoutPath = stdout ?? capture.url.appendingPathComponent("stdout").path
    let stderrPath = capture.url.appendingPathComponent("stderr").path

    var fullEnvironment = ProcessInfo.processInfo.environment
    for name in removingEnvironment { fullEnvironment[name] = nil }
    fullEnvironment.merge(environment) { _, new in new }

    let pid = try spawn(
      executable.path, arguments: arguments, directory: directory?.path,
      environment: fullEnvironment.map { "\($0.key)=\($0.value)" }, stdout: stdoutPath, stderr: stderrPath)
    let start = ContinuousClock.now

    var pending = signals.sorted { $0.delay < $1.delay }
    var timedOut = false
    var status: Int32 = 0
    var mainStarted: ContinuousClock.Instant?
    var sent: [Duration] = []
    while true {
      let reaped = waitpid(pid, &status, WNOHANG)
      if reaped == pid { break }
      if reaped < 0, errno != EINTR {
        throw LaunchError(description: "waitpid failed: \(String(cString: strerror(errno)))")
      }
      let elapsed = ContinuousClock.now - start
      if mainStarted == nil, Self.ignoresSIGPIPE(pid) { mainStarted = .now }
      while let next = pending.first, Self.isDue(next, elapsed: elapsed, mainStarted: mainStarted) {
        pending.removeFirst()
        if kill(next.toGroup ? -pid : pid, next.signal) == 0 { sent.append(ContinuousClock.now - start) }
      }
      if !timedOut, elapsed >= timeout || Task.isCancelled {
        timedOut = elapsed >= timeout
        _ = kill(-pid, SIGKILL)
        _ = kill(pid, SIGKILL)
      }
      try? await Task.sleep(for: .milliseconds(5))
    }
    let elapsed = ContinuousClock.now - start

    let termination = status & 0x7f
    return Result(
      pid: pid, exitCode: termination == 0 ? (status >> 8) & 0xff : nil,
      signal: termination == 0 ? nil : termination, stdout: stdout == nil ? Self.read(stdoutPath) : "",
      stderr: Self.read(stderrPath), timedOut: timedOut, elapsed: elapsed, signalsSent: sent)
  }

  private static func isDue(
    _ signal: ScheduledSignal, elapsed: Duration, mainStarted: ContinuousClock.Instant?
  ) -> Bool {
    guard signal.afterMain else { return signal.delay <= elapsed }
    guard let mainStarted else { return false }
    return ContinuousClock.now - mainStarted >= signal.delay
  }

  /// Whether the process ignores SIGPIPE (batchrun's first act), from /proc.
  private static func ignoresSIGPIPE(_ pid: pid_t) -> Bool {
    let status = read("/proc/\(pid)/status")
    guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("SigIgn:") }),
      let mask = UInt64(line.dropFirst(7).trimmingCharacters(in: .whitespaces), radix: 16)
    else { return false }
    return mask & (1 << (UInt64(SIGPIPE) - 1)) != 0
  }

  private static func read(_ path: String) -> String {
    guard let data = FileManager.default.contents(atPath: path) else { return "" }
    return String(decoding: data, as: UTF8.self)
  }

  // MARK: - Spawning

  private typealias AddChdir =
    @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32
  private typealias AddClosefrom =
    @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32

  /// A glibc function Swift's Glibc module does not export (it needs `_GNU_SOURCE`).
  private static func glibcFunction<T>(_ name: String, as type: T.Type) throws -> T {
    guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), name) else {
      throw LaunchError(description: "\(name) is missing from this C library (needs glibc 2.34 or later)")
    }
    return unsafeBitCast(symbol, to: type)
  }

  private static func spawn(
    _ path: String, arguments: [String], directory: String?, environment: [String],
    stdout: String, stderr: String
  ) throws -> pid_t {
    let addChdir = try glibcFunction("posix_spawn_file_actions_addchdir_np", as: AddChdir.self)
    let addClosefrom = try glibcFunction("posix_spawn_file_actions_addclosefrom_np", as: AddClosefrom.self)

    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    let flags = O_WRONLY | O_CREAT | O_TRUNC
    var result = posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    if result == 0 { result = posix_spawn_file_actions_addopen(&actions, 1, stdout, flags, 0o644) }
    if result == 0 { result = posix_spawn_file_actions_addopen(&actions, 2, stderr, flags, 0o644) }
    if result == 0, let directory { result = addChdir(&actions, directory) }
    if result == 0 { result = addClosefrom(&actions, 3) }
    guard result == 0 else {
      throw LaunchError(description: "posix_spawn file actions: \(String(cString: strerror(result)))")
    }

    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var empty = sigset_t()
    sigemptyset(&empty)
    var all = sigset_t()
    sigfillset(&all)
    posix_spawnattr_setsigmask(&attributes, &empty)
    posix_spawnattr_setsigdefault(&attributes, &all)
    posix_spawnattr_setpgroup(&attributes, 0)
    posix_spawnattr_setflags(
      &attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP))

    let argv = ([path] + arguments).map { strdup($0) } + [nil]
    let envp = environment.map { strdup($0) } + [nil]
    defer {
      for pointer in argv { free(pointer) }
      for pointer in envp { free(pointer) }
    }
    var pid = pid_t()
    result = posix_spawn(&pid, path, &actions, &attributes, argv, envp)
    guard result == 0 else {
      throw LaunchError(description: "cannot run \(path): \(String(cString: strerror(result)))")
    }
    return pid
  }
}

/// A fresh directory under the system's temporary directory, removed when released.
final class TemporaryDirectory: Sendable {
  let url: URL

  init(prefix: String = "batchrun-test") throws {
    var template = Array(
      FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix).XXXXXX").path.utf8CString)
    guard let made = mkdtemp(&template) else {
      throw BatchrunProcess.LaunchError(description: "mkdtemp failed: \(String(cString: strerror(errno)))")
    }
    url = URL(fileURLWithPath: String(cString: made), isDirectory: true)
  }

  deinit {
    try? FileManager.default.removeItem(at: url)
  }

  var path: String { url.path }

  /// Writes `text` to `name` (which may include subdirectories) and returns its path.
  @discardableResult
  func write(_ name: String, _ text: String) throws -> String {
    try write(name, bytes: Array(text.utf8))
  }

  /// Writes `bytes` to `name` (which may include subdirectories) and returns its path.
  @discardableResult
  func write(_ name: String, bytes: [UInt8]) throws -> String {
    let file = url.appendingPathComponent(name)
    try FileManager.default.createDirectory(
      at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
    try Data(bytes).write(to: file)
    return file.path
  }

  /// Everything inside the directory, recursively, as relative paths, sorted.
  func contents() throws -> [String] {
    try FileManager.default.subpathsOfDirectory(atPath: path).sorted()
  }
}
