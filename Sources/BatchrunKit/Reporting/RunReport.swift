import Glibc

/// The JSON run report of SPEC §6 (`report.json`, schema version 1).
public struct RunReport: Sendable {
  /// The run's overall status.
  public enum Status: String, Sendable {
    case succeeded, failed, cancelled, incomplete
  }

  public var runID: String
  public var plan: Plan
  public var settings: RunSettings
  public var outcome: Scheduler.Outcome
  public var startedAt: WallClock.Instant
  public var finishedAt: WallClock.Instant
  /// The directory of the job's working directories, for the report's `cwd`.
  public var launches: LaunchFactory
  /// Why batchrun itself failed after the jobs ran (a report copy or `latest` it could not
  /// write): the exit code is then 70.
  public var failure: String?

  public init(
    runID: String, plan: Plan, settings: RunSettings, outcome: Scheduler.Outcome,
    startedAt: WallClock.Instant, finishedAt: WallClock.Instant, launches: LaunchFactory
  ) {
    self.runID = runID
    self.plan = plan
    self.settings = settings
    self.outcome = outcome
    self.startedAt = startedAt
    self.finishedAt = finishedAt
    self.launches = launches
  }

  /// Whether a result fails the run: a failure or timeout (not `allow-failure`), or a
  /// job cancelled by `--fail-fast`.
  func failsRun(_ result: JobResult) -> Bool {
    switch result.status {
    case .failed, .timedOut: !plan.graph.jobs[result.index].allowFailure
    case .cancelled: true
    case .succeeded, .skipped: false
    }
  }

  public var status: Status {
    if outcome.interruption != nil { return .cancelled }
    return outcome.results.contains(where: failsRun) ? .failed : .succeeded
  }

  /// batchrun's exit code when it fails itself (`EX_SOFTWARE`).
  public static let softwareFailure: Int32 = 70

  /// The exit code: 0, 1, 128+n after a signal, or 70 when batchrun failed itself.
  public var exitCode: Int32 {
    if failure != nil { return Self.softwareFailure }
    if let signal = outcome.interruption { return 128 + signal }
    return status == .succeeded ? 0 : 1
  }

  /// Counts by final status.
  public func count(_ status: JobResult.Status) -> Int {
    outcome.results.lazy.filter { $0.status == status }.count
  }

  /// A job's wall time in this run: first start to last end, 0 if it never started.
  public static func duration(of result: JobResult) -> Double {
    guard let first = result.attempts.first, let last = result.attempts.last else { return 0 }
    return first.exit.startedAt.seconds(to: last.exit.finishedAt)
  }

  /// The chain of needs, first to last, with the largest sum of durations, among the
  /// jobs that ran.
  public var criticalPath: (jobs: [Int], seconds: Double) {
    var durations = [Double?](repeating: nil, count: plan.graph.jobs.count)
    for result in outcome.results where !result.attempts.isEmpty {
      durations[result.index] = Self.duration(of: result)
    }
    return CriticalPath.heaviest(needs: plan.graph.needs, durations: durations)
  }

  // MARK: - JSON

  public func json() -> JSON {
    let manifest = plan.manifest
    let critical = criticalPath
    let jobs = plan.graph.jobs
    return .object([
      ("schema_version", .int(1)),
      ("tool", .object([("name", .string("batchrun")), ("version", .string(BatchrunVersion.current))])),
      ("run_id", .string(runID)),
      (
        "manifest",
        .object([
          ("path", .string(manifest.path)), ("name", .string(manifest.name)),
          ("sha256", .string(manifest.sha256)),
        ])
      ),
      ("status", .string(status.rawValue)),
      ("exit_code", .int(Int(exitCode))),
      ("error", failure.map(JSON.string) ?? .null),
      ("started_at", .string(startedAt.rfc3339)),
      ("finished_at", .string(finishedAt.rfc3339)),
      ("duration_seconds", .double(startedAt.seconds(to: finishedAt))),
      ("concurrency", .int(settings.concurrency)),
      ("host", Self.host),
      (
        "summary",
        .object(
          [("total", .int(outcome.results.count))]
            + JobResult.Status.allCases.map { ($0.rawValue, JSON.int(count($0))) })
      ),
      (
        "critical_path",
        .object([
          ("jobs", .array(critical.jobs.map { .string(jobs[$0].id) })),
          ("duration_seconds", .double(critical.seconds)),
        ])
      ),
      ("jobs", .array(outcome.results.map(JobJSON(plan: plan, launches: launches).json))),
    ])
  }

  /// This machine, read once.
  static let host: JSON = {
    var name = [CChar](repeating: 0, count: 256)
    gethostname(&name, name.count)
    var system = utsname()
    uname(&system)
    let os = withUnsafeBytes(of: &system.sysname) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
    let release = withUnsafeBytes(of: &system.release) {
      String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self)
    }
    return .object([
      (
        "hostname",
        .string(String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
      ),
      ("os", .string("\(os) \(release)")),
      ("cpus", .int(ProcessorCount.online)),
    ])
  }()
}
