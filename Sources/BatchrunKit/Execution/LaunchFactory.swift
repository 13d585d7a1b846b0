/// Turns a job and an attempt number into a ``JobLaunch``: command line, environment,
/// working directory and log path, as docs/manifest.md (`run` and `argv`, `env`, `cwd`)
/// and docs/report.md (the state directory) lay them out.
public struct LaunchFactory: Sendable {
  let manifest: Manifest
  let runID: String
  /// The run directory; logs go to `logs/` inside it.
  let runDirectory: String
  let killGrace: Duration
  /// The jobserver jobs share, with `--jobserver`.
  let jobserver: JobserverServer?
  /// batchrun's environment with the manifest's `env` applied, as NUL-terminated
  /// `NAME=value` entries in a stable order, rendered once for every job.
  private let baseEnvironment: [(name: String, entry: [UInt8])]

  public init(
    manifest: Manifest, runID: String, runDirectory: String, killGrace: Duration,
    inherited: [String: String] = Environment.current
  ) {
    self.init(
      manifest: manifest, runID: runID, runDirectory: runDirectory, killGrace: killGrace,
      inherited: inherited,
      jobserver: nil)
  }

  init(
    manifest: Manifest, runID: String, runDirectory: String, killGrace: Duration,
    inherited: [String: String] = Environment.current, jobserver: JobserverServer?
  ) {
    self.jobserver = jobserver
    self.manifest = manifest
    self.runID = runID
    self.runDirectory = runDirectory
    self.killGrace = killGrace
    var base = inherited
    for variable in manifest.environment { base[variable.name] = variable.value }
    // Every launch sets these itself.
    for name in Self.ownNames { base[name] = nil }
    self.baseEnvironment = base.sorted { $0.key < $1.key }.map {
      ($0.key, JobLaunch.entry("\($0.key)=\($0.value)"))
    }
  }

  /// The variables batchrun sets for every attempt.
  static let ownNames = [
    "BATCHRUN_JOB_ID", "BATCHRUN_RUN_ID", "BATCHRUN_ATTEMPT", "BATCHRUN_RUN_DIR", "BATCHRUN_SLOT",
    "BATCHRUN_GPUS",
  ]

  /// The log of an attempt, relative to the run directory.
  func logName(for job: Job, attempt: Int) -> String {
    attempt == 1 ? "logs/\(job.id).log" : "logs/\(job.id).attempt-\(attempt).log"
  }

  /// The launch of attempt `attempt` of `job` on worker `slot` (`BATCHRUN_SLOT`), given
  /// `gpus` (`CUDA_VISIBLE_DEVICES` and `BATCHRUN_GPUS`, set when it holds any).
  func launch(for job: Job, attempt: Int, slot: Int = 0, gpus: [String] = []) -> JobLaunch {
    let arguments: [String]
    switch job.command {
    case .shell(let script): arguments = (job.shell ?? manifest.shell) + [script]
    case .argv(let argv): arguments = argv
    }
    // batchrun's own variables win over a job's `env` too: each name is set once.
    var added: [(String, String)] =
      job.environment.filter { !Self.ownNames.contains($0.name) }.map { ($0.name, $0.value) }
      + Array(zip(Self.ownNames, [job.id, runID, String(attempt), runDirectory, String(slot)]))
    if let jobserver {
      added.removeAll { $0.0 == "MAKEFLAGS" }
      added.append(("MAKEFLAGS", jobserver.makeflags))
    }
    if !gpus.isEmpty {
      let list = gpus.joined(separator: ",")
      added.removeAll { $0.0 == "CUDA_VISIBLE_DEVICES" }
      added += [("CUDA_VISIBLE_DEVICES", list), ("BATCHRUN_GPUS", list)]
    }
    var environment: [[UInt8]] = []
    environment.reserveCapacity(baseEnvironment.count + added.count)
    if job.environment.isEmpty, gpus.isEmpty, jobserver == nil {
      environment += baseEnvironment.lazy.map(\.entry)
    } else {
      let overridden = Set(added.map(\.0))
      for variable in baseEnvironment where !overridden.contains(variable.name) {
        environment.append(variable.entry)
      }
    }
    for (name, value) in added { environment.append(JobLaunch.entry("\(name)=\(value)")) }
    var launch = JobLaunch(
      job: job, runID: runID, attempt: attempt, arguments: arguments, environmentEntries: environment,
      workingDirectory: manifest.workingDirectory(for: job),
      logPath: runDirectory + "/" + logName(for: job, attempt: attempt),
      killGrace: killGrace)
    launch.descriptors = jobserver?.descriptors ?? []
    return launch
  }
}
