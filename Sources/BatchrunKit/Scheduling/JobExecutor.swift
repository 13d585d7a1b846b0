/// Runs job attempts somewhere: local processes now, other backends later.
///
/// The scheduler knows nothing of processes: it hands an executor a ``JobLaunch`` and
/// gets back an ``AttemptExit``. A stop asked for through the ``AttemptControl`` ends the
/// attempt (for local processes: SIGTERM to the job's group, the grace, SIGKILL).
public protocol JobExecutor: Sendable {
  /// Runs one attempt to its end and reports how it ended; never throws for a job's failure.
  func execute(_ launch: JobLaunch, control: AttemptControl) async -> AttemptExit

  /// Stops everything at once, without a grace period (a second Ctrl-C).
  func killAll()

  /// Returns once nothing any attempt started is still running.
  func drain() async

  /// The executor's name in the report (`executor`): `local`, `slurm`.
  var name: String { get }

  /// Why the executor itself failed (its backend could not be reached), if it did: the run
  /// then exits 70 and says so, and no job is blamed for it.
  var failure: (any Error)? { get }

  /// How many started attempts wait in a queue for somewhere to run (a cluster's), if
  /// the executor has one: the status line shows them apart from the running ones.
  var queuedCount: Int? { get }
}

extension JobExecutor {
  public var name: String { "local" }
  public var failure: (any Error)? { nil }
  public var queuedCount: Int? { nil }
}

/// Everything an executor needs to start one attempt of a job.
public struct JobLaunch: Sendable {
  public var job: Job
  /// 1 for the first attempt.
  public var attempt: Int
  /// The program and its arguments (the shell prefix already applied to `run:`).
  public var arguments: [String]
  /// The whole environment, as `NAME=value` strings.
  public var environment: [String] {
    get { environmentEntries.map { String(decoding: $0.dropLast(), as: UTF8.self) } }
    set { environmentEntries = newValue.map(Self.entry) }
  }
  /// The whole environment as `execve` takes it: `NAME=value` entries, each ending in NUL
  /// (rendered once per run for the entries every job shares).
  var environmentEntries: [[UInt8]]
  /// An absolute or manifest-relative working directory.
  public var workingDirectory: String
  /// Where stdout and stderr go, together.
  public var logPath: String
  /// How long a stopped job has between SIGTERM and SIGKILL.
  public var killGrace: Duration

  public init(
    job: Job, attempt: Int, arguments: [String], environment: [String], workingDirectory: String,
    logPath: String, killGrace: Duration
  ) {
    self.init(
      job: job, attempt: attempt, arguments: arguments, environmentEntries: environment.map(Self.entry),
      workingDirectory: workingDirectory, logPath: logPath, killGrace: killGrace)
  }

  init(
    job: Job, attempt: Int, arguments: [String], environmentEntries: [[UInt8]], workingDirectory: String,
    logPath: String, killGrace: Duration
  ) {
    self.job = job
    self.attempt = attempt
    self.arguments = arguments
    self.environmentEntries = environmentEntries
    self.workingDirectory = workingDirectory
    self.logPath = logPath
    self.killGrace = killGrace
  }

  /// `text` as a NUL-terminated environment entry.
  static func entry(_ text: String) -> [UInt8] {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(text.utf8.count + 1)
    bytes.append(contentsOf: text.utf8)
    bytes.append(0)
    return bytes
  }
}

/// How one attempt ended, as the executor saw it.
public struct AttemptExit: Sendable {
  public enum Termination: Sendable, Equatable {
    /// The main process exited with this code.
    case exited(Int32)
    /// The main process was killed by this signal.
    case signaled(Int32)
    /// The job could not be started at all (no such program, no such directory, ...).
    case failedToStart(String)
  }

  public var termination: Termination
  public var startedAt: WallClock.Instant
  public var finishedAt: WallClock.Instant
  /// Bytes the attempt wrote to its log.
  public var outputBytes: Int
  /// The executor's name for the attempt: the process id locally, the job id on Slurm;
  /// `nil` if it never started.
  public var nativeID: String?
  /// The machine the attempt ran on; `nil` if it never started.
  public var host: String?
  /// Why the attempt failed when its exit alone does not say (a Slurm job's node failed,
  /// say); the job's `reason` in the report.
  public var reason: String?

  public init(
    termination: Termination, startedAt: WallClock.Instant, finishedAt: WallClock.Instant, outputBytes: Int,
    nativeID: String? = nil, host: String? = nil
  ) {
    self.termination = termination
    self.startedAt = startedAt
    self.finishedAt = finishedAt
    self.outputBytes = outputBytes
    self.nativeID = nativeID
    self.host = host
  }

  public var succeeded: Bool { termination == .exited(0) }
}
