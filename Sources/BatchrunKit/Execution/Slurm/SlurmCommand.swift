import Glibc
import Synchronization

/// Runs one Slurm client command (`sbatch`, `squeue`, `scancel`, `scontrol`, `sacct`)
/// and collects its output, under a time limit.
///
/// The command is found on batchrun's own `PATH`, runs in a process group of its own (a
/// Ctrl-C at the terminal must not kill an `scancel` batchrun is sending, nor an `sbatch`
/// whose job id it has not read yet), with an empty signal mask, and on a thread of its own
/// so that waiting for the controller never holds up Swift's cooperative pool.
struct SlurmCommand: Sendable {
  /// Held while a command's pipes are made and it is started.
  private static let spawning = Mutex(())

  /// How a command ended.
  struct Output: Sendable {
    /// The exit code; `nil` when it could not be started, timed out or was killed.
    var status: Int32?
    var stdout: String
    var stderr: String
    /// Why there is no exit code, if there is none.
    var problem: String?

    var succeeded: Bool { status == 0 }

    /// stderr's text (else stdout's, else the problem), trimmed: what to quote in a message.
    var message: String {
      let text = [stderr, stdout, problem ?? ""].first { !$0.allSatisfy(\.isWhitespace) } ?? ""
      return text.split(whereSeparator: \.isNewline).map { $0.trimmingSpaces }.joined(separator: "; ")
    }
  }

  /// The longest a command may take before it is killed: a controller that does not answer
  /// must not hang the run.
  var timeout: Duration = .seconds(60)
  /// Counts calls by program name, for the executor's statistics.
  let counter: SlurmCallCounter?

  init(timeout: Duration = .seconds(60), counter: SlurmCallCounter? = nil) {
    self.timeout = timeout
    self.counter = counter
  }

  /// Runs `arguments` (the program first) and returns how it ended.
  func run(_ arguments: [String]) async -> Output {
    counter?.count(arguments[0])
    let limit = timeout
    return await withCheckedContinuation { continuation in
      let started = DetachedThread.start {
        continuation.resume(returning: Self.runBlocking(arguments, timeout: limit))
      }
      if !started {
        continuation.resume(
          returning: Output(
            status: nil, stdout: "", stderr: "", problem: "cannot create a thread to run \(arguments[0])"))
      }
    }
  }

  /// Runs `arguments` on the calling thread, blocking it.
  func runNow(_ arguments: [String]) -> Output {
    counter?.count(arguments[0])
    return Self.runBlocking(arguments, timeout: timeout)
  }

  private static func runBlocking(_ arguments: [String], timeout: Duration) -> Output {
    var outPipe: [Int32] = [-1, -1]
    var errPipe: [Int32] = [-1, -1]
    // Under one lock, so that no other command started here inherits these pipes before
    // they are close-on-exec (which would hold this command's output open).
    let (child, spawnError) = spawning.withLock { _ -> (pid_t, Int32) in
      guard pipe(&outPipe) == 0 else { return (0, errno) }
      guard pipe(&errPipe) == 0 else {
        let error = errno
        close(outPipe[0])
        close(outPipe[1])
        outPipe = [-1, -1]
        return (0, error)
      }
      for fd in outPipe + errPipe { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
      let result = spawn(arguments, stdout: outPipe[1], stderr: errPipe[1])
      close(outPipe[1])
      close(errPipe[1])
      return result
    }
    guard spawnError == 0 else {
      for fd in [outPipe[0], errPipe[0]] where fd >= 0 { close(fd) }
      return Output(
        status: nil, stdout: "", stderr: "",
        problem: spawnError == ENOENT
          ? "\(arguments[0]): command not found in PATH"
          : "\(arguments[0]): \(SystemFailure.text(of: spawnError))")
    }
    let deadline = ContinuousClock.now + timeout
    var out: [UInt8] = []
    var err: [UInt8] = []
    var fds = [
      pollfd(fd: outPipe[0], events: Int16(POLLIN), revents: 0),
      pollfd(fd: errPipe[0], events: Int16(POLLIN), revents: 0),
    ]
    var timedOut = false
    var buffer = [UInt8](repeating: 0, count: 65536)
    while fds.contains(where: { $0.fd >= 0 }) {
      let left = deadline - ContinuousClock.now
      if left <= .zero {
        timedOut = true
        break
      }
      let milliseconds = Int32(
        min(left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000 + 1, 60_000))
      let ready = poll(&fds, nfds_t(fds.count), milliseconds)
      if ready < 0, errno == EINTR { continue }
      guard ready > 0 else { continue }
      for index in fds.indices where fds[index].fd >= 0 && fds[index].revents != 0 {
        let count = read(fds[index].fd, &buffer, buffer.count)
        if count > 0 {
          if index == 0 { out += buffer[0..<count] } else { err += buffer[0..<count] }
        } else if count == 0 || (errno != EINTR && errno != EAGAIN) {
          close(fds[index].fd)
          fds[index].fd = -1
        }
      }
    }
    for fd in fds where fd.fd >= 0 { close(fd.fd) }
    // The command and anything it started, in its own group.
    if timedOut { kill(-child, SIGKILL) }
    var status: Int32 = 0
    while waitpid(child, &status, 0) < 0, errno == EINTR {}
    let stdout = String(decoding: out, as: UTF8.self)
    let stderr = String(decoding: err, as: UTF8.self)
    if timedOut {
      return Output(
        status: nil, stdout: stdout, stderr: stderr,
        problem: "\(arguments[0]) did not finish within \(timeout.components.seconds) s")
    }
    // WIFEXITED / WEXITSTATUS, spelled out (the macros do not reach Swift).
    if status & 0x7f == 0 { return Output(status: (status >> 8) & 0xff, stdout: stdout, stderr: stderr) }
    return Output(
      status: nil, stdout: stdout, stderr: stderr,
      problem: "\(arguments[0]) was killed by \(SignalName.of(status & 0x7f))")
  }

  private static func failure(_ what: String, _ error: Int32) -> Output {
    Output(status: nil, stdout: "", stderr: "", problem: "\(what): \(SystemFailure.text(of: error))")
  }

  /// `posix_spawnp`s `arguments` with its own process group, an empty signal mask, default
  /// dispositions for the stop signals and SIGPIPE, stdin from /dev/null.
  private static func spawn(_ arguments: [String], stdout: Int32, stderr: Int32) -> (pid_t, Int32) {
    var actions = posix_spawn_file_actions_t()
    var attributes = posix_spawnattr_t()
    posix_spawn_file_actions_init(&actions)
    posix_spawnattr_init(&attributes)
    defer {
      posix_spawn_file_actions_destroy(&actions)
      posix_spawnattr_destroy(&attributes)
    }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_adddup2(&actions, stdout, 1)
    posix_spawn_file_actions_adddup2(&actions, stderr, 2)
    var empty = sigset_t()
    sigemptyset(&empty)
    var defaults = sigset_t()
    sigemptyset(&defaults)
    for signal in [SIGINT, SIGTERM, SIGHUP, SIGPIPE, SIGQUIT] { sigaddset(&defaults, signal) }
    posix_spawnattr_setsigmask(&attributes, &empty)
    posix_spawnattr_setsigdefault(&attributes, &defaults)
    posix_spawnattr_setpgroup(&attributes, 0)
    posix_spawnattr_setflags(
      &attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
    var pid: pid_t = 0
    let cArguments = arguments.map { strdup($0) }
    defer { for argument in cArguments { free(argument) } }
    let result = (cArguments + [nil]).withUnsafeBufferPointer { argv in
      posix_spawnp(&pid, arguments[0], &actions, &attributes, argv.baseAddress!, environ)
    }
    return (pid, result)
  }
}

extension Substring {
  /// The text without leading and trailing spaces and tabs.
  fileprivate var trimmingSpaces: Substring {
    let start = firstIndex { $0 != " " && $0 != "\t" } ?? endIndex
    let end = lastIndex { $0 != " " && $0 != "\t" }.map(index(after:)) ?? start
    return self[start..<Swift.max(start, end)]
  }
}
