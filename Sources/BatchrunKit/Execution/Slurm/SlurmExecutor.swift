import Glibc
import Synchronization

/// Runs each attempt as a Slurm batch job (README, "Running on a Slurm cluster").
///
/// batchrun stays the scheduler: an attempt is submitted when the scheduler starts it, with
/// one `sbatch --parsable` of a script written to the run dir (``SlurmSubmission``), and
/// ends when ``SlurmQueue``'s polling sees the job in a final state. A stop for a timeout
/// sends `scancel --full --signal=TERM`, then `scancel` after the kill grace; a stop of the
/// run (a signal, --fail-fast) cancels every job in one `scancel`, and the run waits until
/// `squeue` shows them ended. When Slurm cannot be reached, ``failure`` says why, and the
/// attempts are cancelled without blaming their jobs.
public final class SlurmExecutor: JobExecutor {
  private let settings: SlurmSettings
  private let defaultTimeout: Duration?
  private let resources: @Sendable (Job) -> SlurmResources?
  private let command: SlurmCommand
  private let queue: SlurmQueue
  /// Counts the Slurm commands sent, by program.
  let calls: SlurmCallCounter

  public var name: String { "slurm" }

  /// Why Slurm failed the run, if it did.
  public var failure: (any Error)? { queue.failure }

  /// - Parameters:
  ///   - settings: the manifest's executor mapping.
  ///   - defaultTimeout: the timeout of jobs that set none (for `--time`).
  ///   - accounting: the cluster keeps accounting (``Cluster/accounting``).
  ///   - resources: what each job asks of a node; by default its `resources`.
  ///   - commandTimeout: the longest any Slurm command may take.
  public init(
    settings: SlurmSettings = SlurmSettings(), defaultTimeout: Duration? = nil, accounting: Bool = false,
    resources: @escaping @Sendable (Job) -> SlurmResources? = SlurmResources.of,
    commandTimeout: Duration = .seconds(60)
  ) {
    self.settings = settings
    self.defaultTimeout = defaultTimeout
    self.resources = resources
    calls = SlurmCallCounter()
    command = SlurmCommand(timeout: commandTimeout, counter: calls)
    queue = SlurmQueue(command: command, pace: SlurmQueue.Pace(), accounting: accounting)
  }

  /// What batchrun learns of a cluster before it submits anything.
  public struct Cluster: Sendable {
    /// `sacct` works: the cluster has an accounting database.
    public var accounting: Bool
  }

  /// Checks that the Slurm commands are on `PATH` and that the controller answers
  /// (`scontrol show config`).
  public static func connect(commandTimeout: Duration = .seconds(60)) async throws(SlurmFailure) -> Cluster {
    // Slurm's clients retry a missing configuration file for a minute: say it at once.
    if let conf = Environment.current["SLURM_CONF"], access(conf, R_OK) != 0 {
      throw SlurmFailure(.unreachable, "SLURM_CONF names \(conf), which cannot be read")
    }
    let command = SlurmCommand(timeout: commandTimeout)
    let output = await command.run(["scontrol", "show", "config"])
    guard output.succeeded else {
      throw SlurmFailure(
        output.status == nil && output.problem?.contains("not found") == true
          ? .missingCommand : .unreachable, output.message)
    }
    for program in ["sbatch", "squeue", "scancel"] where !Self.onPath(program) {
      throw SlurmFailure(.missingCommand, "\(program): command not found in PATH")
    }
    let storage = output.stdout.split(whereSeparator: \.isNewline).first {
      $0.hasPrefix("AccountingStorageType")
    }
    return Cluster(accounting: storage.map { !$0.hasSuffix("accounting_storage/none") } ?? false)
  }

  private static func onPath(_ program: String) -> Bool {
    let path = Environment.current["PATH"] ?? "/usr/bin:/bin"
    return path.split(separator: ":").contains { access("\($0)/\(program)", X_OK) == 0 }
  }

  // MARK: - JobExecutor

  public func execute(_ launch: JobLaunch, control: AttemptControl) async -> AttemptExit {
    let startedAt = WallClock.now
    let log = open(launch.logPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    if log >= 0 { close(log) }
    func ended(_ outcome: SlurmOutcome, id: String? = nil, host: String? = nil) -> AttemptExit {
      var exit = AttemptExit(
        termination: outcome.termination, startedAt: startedAt, finishedAt: WallClock.now,
        outputBytes: Self.size(of: launch.logPath), nativeID: id, host: host)
      exit.reason = outcome.reason
      return exit
    }
    if let failure = queue.failure {
      return cancel(control, "not submitted: \(failure)", ended)
    }
    let values = Self.variables(launch)
    let runDirectory = values["BATCHRUN_RUN_DIR"] ?? "."
    let submission = SlurmSubmission(
      launch: launch, runID: launch.runID,
      scriptPath: Self.scriptPath(launch, in: runDirectory),
      timeout: launch.job.timeout ?? defaultTimeout, settings: settings, resources: resources(launch.job))
    if let problem = Self.write(
      submission.script, to: submission.scriptPath, directory: runDirectory + "/slurm")
    {
      Self.append("batchrun: cannot submit job '\(launch.job.id)': \(problem)\n", to: launch.logPath)
      return ended(SlurmOutcome(termination: .failedToStart(problem), reason: nil))
    }
    if control.stopReason != nil {
      return cancel(control, nil, ended)
    }
    let output = await command.run(submission.arguments)
    guard output.succeeded, let id = Self.jobID(in: output.stdout) else {
      let message = output.message
      if output.status == nil || SlurmFailure.isAboutSlurm(message) || (output.succeeded && message.isEmpty) {
        let failure =
          output.succeeded
          ? SlurmFailure(.unreadableAnswer, "sbatch printed no job id: \(output.stdout)")
          : SlurmFailure(
            output.problem?.contains("not found") == true ? .missingCommand : .unreachable, message)
        queue.fail(failure)
        return cancel(control, "not submitted: \(failure)", ended)
      }
      Self.append("batchrun: Slurm refused job '\(launch.job.id)': \(message)\n", to: launch.logPath)
      return ended(
        SlurmOutcome(
          termination: .failedToStart("Slurm refused it"), reason: "Slurm refused the job: \(message)"))
    }
    queue.track(id)
    control.onStop { [queue] in
      switch control.stopReason {
      case .timedOut:
        Task {
          if queue.isQueued(id) {
            await queue.scancel([id])
            return
          }
          await queue.signal(id, "TERM")
          try? await Task.sleep(for: launch.killGrace)
          queue.cancel(id)
        }
      default: queue.cancel(id)
      }
    }
    let end = await queue.end(of: id)
    control.onStop(nil)
    switch end {
    case .record(let record, let cancelledByBatchrun):
      let outcome = SlurmOutcome(record, cancelledByBatchrun: cancelledByBatchrun)
      if outcome.timedOut {
        // Slurm's own limit came first: the attempt timed out all the same.
        control.onStop {}
        control.requestStop(.timedOut)
        control.onStop(nil)
      }
      if let reason = outcome.reason {
        Self.append("batchrun: Slurm job \(id) ended \(record.state): \(reason)\n", to: launch.logPath)
      }
      return ended(outcome, id: id, host: record.node)
    case .abandoned(let reason):
      return cancel(control, reason, ended, id: id)
    case .lost(let reason):
      Self.append("batchrun: \(reason)\n", to: launch.logPath)
      return ended(SlurmOutcome(termination: .failedToStart(reason), reason: reason), id: id)
    }
  }

  /// Ends an attempt as cancelled (for `reason`, else for the stop already asked for).
  private func cancel(
    _ control: AttemptControl, _ reason: String?, _ ended: (SlurmOutcome, String?, String?) -> AttemptExit,
    id: String? = nil
  ) -> AttemptExit {
    control.onStop {}
    if let reason { control.requestStop(.cancelled(reason)) }
    control.onStop(nil)
    return ended(SlurmOutcome(termination: .signaled(SIGTERM), reason: nil), id, nil)
  }

  public func killAll() {
    queue.abandonAll()
  }

  public func drain() async {
    await queue.drain()
  }

  /// The jobs submitted and waiting for a node.
  public var queuedCount: Int? { queue.counts.queued }

  // MARK: - Files

  /// `<run dir>/slurm/<job>.sh`, `<job>.attempt-<n>.sh` for later attempts.
  static func scriptPath(_ launch: JobLaunch, in runDirectory: String) -> String {
    runDirectory + "/slurm/" + launch.job.id + (launch.attempt == 1 ? "" : ".attempt-\(launch.attempt)")
      + ".sh"
  }

  /// `BATCHRUN_*` variables of a launch.
  private static func variables(_ launch: JobLaunch) -> [String: String] {
    var values: [String: String] = [:]
    for entry in launch.environmentEntries where entry.starts(with: "BATCHRUN_".utf8) {
      let text = String(decoding: entry.dropLast(), as: UTF8.self)
      if let equals = text.firstIndex(of: "=") {
        values[String(text[..<equals])] = String(text[text.index(after: equals)...])
      }
    }
    return values
  }

  /// The job id `sbatch --parsable` printed (`id` or `id;cluster`).
  static func jobID(in output: String) -> String? {
    let first =
      output.split(whereSeparator: \.isNewline).last.map { $0.split(separator: ";").first ?? "" } ?? ""
    return !first.isEmpty && first.allSatisfy(\.isNumber) ? String(first) : nil
  }

  /// Writes an executable script; returns the problem, if any.
  private static func write(_ text: String, to path: String, directory: String) -> String? {
    mkdir(directory, 0o755)
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o755)
    guard fd >= 0 else { return "cannot write \(path): \(SystemFailure.text(of: errno))" }
    defer { close(fd) }
    return FileBytes.writeAll(fd, text) ? nil : "cannot write \(path): \(SystemFailure.text(of: errno))"
  }

  private static func append(_ text: String, to path: String) {
    let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
    guard fd >= 0 else { return }
    FileBytes.writeAll(fd, text)
    close(fd)
  }

  private static func size(of path: String) -> Int {
    var info = stat()
    return stat(path, &info) == 0 ? Int(info.st_size) : 0
  }
}
