/// Everything an executor needs to start one attempt of a job.
public struct JobLaunch: Sendable {
  var job: Job
  /// The run this attempt belongs to (`BATCHRUN_RUN_ID`).
  var runID: String
  /// 1 for the first attempt.
  var attempt: Int
  /// The program and its arguments (the shell prefix already applied to `run:`).
  var arguments: [String]
  /// The whole environment, as `NAME=value` strings.
  var environment: [String] {
    get { environmentEntries.map { String(decoding: $0.dropLast(), as: UTF8.self) } }
    set { environmentEntries = newValue.map(Self.entry) }
  }
  /// The whole environment as `execve` takes it: `NAME=value` entries, each ending in NUL
  /// (rendered once per run for the entries every job shares).
  var environmentEntries: [[UInt8]]
  /// An absolute or manifest-relative working directory.
  var workingDirectory: String
  /// Where stdout and stderr go, together.
  var logPath: String
  /// How long a stopped job has between SIGTERM and SIGKILL.
  var killGrace: Duration
  /// Descriptors the job gets as 3, 4, ...: only the jobserver's, with `--jobserver`.
  var descriptors: [Int32] = []

  init(
    job: Job, runID: String, attempt: Int, arguments: [String], environment: [String],
    workingDirectory: String,
    logPath: String, killGrace: Duration
  ) {
    self.init(
      job: job, runID: runID, attempt: attempt, arguments: arguments,
      environmentEntries: environment.map(Self.entry), workingDirectory: workingDirectory, logPath: logPath,
      killGrace: killGrace)
  }

  init(
    job: Job, runID: String, attempt: Int, arguments: [String], environmentEntries: [[UInt8]],
    workingDirectory: String, logPath: String, killGrace: Duration
  ) {
    self.job = job
    self.runID = runID
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
