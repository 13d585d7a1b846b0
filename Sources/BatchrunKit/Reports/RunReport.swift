import Glibc

/// A finished run: what the scheduler returned and when, the source of its report
/// (``ReportDocument``), its console summary and its exit code.
public struct RunReport: Sendable {
  /// The run's overall status.
  typealias Status = ReportDocument.Status

  var runID: String
  var plan: Plan
  var settings: RunSettings
  var outcome: Scheduler.Outcome
  var startedAt: WallClock.Instant
  var finishedAt: WallClock.Instant
  /// Why batchrun itself failed after the jobs ran (a report copy or `latest` it could not
  /// write): the exit code is then 70.
  var failure: String?
  /// What ran the jobs: `local` or `slurm`.
  var executor = "local"

  init(
    runID: String, plan: Plan, settings: RunSettings, outcome: Scheduler.Outcome,
    startedAt: WallClock.Instant, finishedAt: WallClock.Instant
  ) {
    self.runID = runID
    self.plan = plan
    self.settings = settings
    self.outcome = outcome
    self.startedAt = startedAt
    self.finishedAt = finishedAt
  }

  /// Whether a result fails the run: a failure or timeout (not `allow-failure`), or a
  /// job cancelled by `--fail-fast`.
  func failsRun(_ result: JobResult) -> Bool {
    switch result.status {
    case .failed, .timedOut: !plan.graph.jobs[result.index].allowFailure
    case .cancelled: true
    case .succeeded, .upToDate, .skipped: false
    }
  }

  var status: Status {
    if outcome.interruption != nil { return .cancelled }
    return outcome.results.contains(where: failsRun) ? .failed : .succeeded
  }

  /// The exit code: 0, 1, 128+n after a signal, or 70 when batchrun failed itself.
  public var exitCode: Int32 {
    if failure != nil { return ExitStatus.software }
    if let signal = outcome.interruption { return ExitStatus.signal(signal) }
    return status == .succeeded ? ExitStatus.success : ExitStatus.failure
  }

  /// Counts by final status.
  func count(_ status: JobResult.Status) -> Int {
    outcome.results.lazy.filter { $0.status == status }.count
  }

  /// A job's wall time in this run: first start to last end, 0 if it never started.
  static func duration(of result: JobResult) -> Double {
    guard let first = result.attempts.first, let last = result.attempts.last else { return 0 }
    return first.exit.startedAt.seconds(to: last.exit.finishedAt)
  }

  /// The wall times of the jobs that succeeded in this run, by id: the next run's
  /// ``PriorDurations``.
  var successDurations: [String: Double] {
    var seconds: [String: Double] = [:]
    for result in outcome.results where result.status == .succeeded {
      seconds[plan.graph.jobs[result.index].id] = Self.duration(of: result)
    }
    return seconds
  }

  /// The chain of needs, first to last, with the largest sum of durations, among the
  /// jobs that ran.
  var criticalPath: (jobs: [Int], seconds: Double) {
    var durations = [Double?](repeating: nil, count: plan.graph.jobs.count)
    for result in outcome.results where !result.attempts.isEmpty {
      durations[result.index] = Self.duration(of: result)
    }
    return CriticalPath.heaviest(needs: plan.graph.needs, durations: durations)
  }

  // MARK: - The document

  /// The report without its jobs (``jobs`` has them): what ``write(to:)`` streams.
  var header: ReportDocument {
    let critical = criticalPath
    var document = ReportDocument()
    document.tool = .init(name: "batchrun", version: BatchrunVersion.current)
    document.runID = runID
    document.manifest = .init(
      path: plan.manifest.path, name: plan.manifest.name, sha256: plan.manifest.sha256)
    document.status = status
    document.exitCode = Int(exitCode)
    document.error = failure
    document.startedAt = startedAt.rfc3339
    document.finishedAt = finishedAt.rfc3339
    document.durationSeconds = startedAt.seconds(to: finishedAt)
    document.concurrency = settings.concurrency
    document.host = Self.host
    document.executor = executor
    document.summary = ReportDocument.summary(of: outcome.results.map(\.status))
    document.criticalPath = .init(
      jobs: critical.jobs.map { plan.graph.jobs[$0].id }, seconds: critical.seconds)
    return document
  }

  /// The report's jobs, made one at a time as they are read.
  var jobs: LazyMapSequence<[JobResult], ReportDocument.Job> {
    outcome.results.lazy.map { [plan] in ReportDocument.Job($0, of: plan) }
  }

  /// The whole report.
  var document: ReportDocument {
    var document = header
    document.jobs = Array(jobs)
    return document
  }

  /// Writes the report as pretty JSON to `emit`, a job at a time (see
  /// ``ReportDocument/write(jobs:to:)``).
  func write(to emit: ([UInt8]) -> Bool) -> Bool {
    header.write(jobs: jobs, to: emit)
  }

  /// This machine, read once.
  static let host = ReportDocument.Host(
    hostname: HostName.current, os: HostName.system, cpus: ProcessorCount.online)
}

extension ReportDocument.Job {
  /// The report's record of `result`, a job of `plan`.
  init(_ result: JobResult, of plan: Plan) {
    let job = plan.graph.jobs[result.index]
    let last = result.lastAttempt
    switch job.command {
    case .shell(let text): command = text
    case .argv(let words): argv = words
    }
    (exitCode, signal) = Self.ending(of: last?.exit)
    id = job.id
    description = job.description
    needs = job.needs
    cwd = plan.manifest.workingDirectory(for: job)
    status = result.status
    allowFailure = job.allowFailure
    reason = result.reason
    startedAt = result.attempts.first?.exit.startedAt.rfc3339
    finishedAt = last?.exit.finishedAt.rfc3339
    durationSeconds = last == nil ? nil : RunReport.duration(of: result)
    log = last?.log
    outputBytes = last?.exit.outputBytes
    resources = ReportDocument.Resources(
      cpus: job.resources.cpus, memory: job.resources.memory, gpus: job.resources.gpus)
    matrix = job.matrix?.map { ReportDocument.MatrixValue(axis: $0.axis, value: $0.value) }
    pool = job.pool
    fingerprint = result.fingerprint
    attempts = result.attempts.map { record in
      let (exitCode, signal) = Self.ending(of: record.exit)
      return ReportDocument.Attempt(
        attempt: record.attempt, status: record.status, exitCode: exitCode, signal: signal,
        startedAt: record.exit.startedAt.rfc3339, finishedAt: record.exit.finishedAt.rfc3339,
        durationSeconds: record.exit.startedAt.seconds(to: record.exit.finishedAt), log: record.log,
        nativeID: record.exit.nativeID, host: record.exit.host)
    }
  }

  /// `exit_code` and `signal`: a job that could not start reports 127, as a shell would.
  private static func ending(of exit: AttemptExit?) -> (Int?, String?) {
    switch exit?.termination {
    case .exited(let code): (Int(code), nil)
    case .signaled(let signal): (nil, SignalName.of(signal))
    case .failedToStart: (127, nil)
    case nil: (nil, nil)
    }
  }
}
