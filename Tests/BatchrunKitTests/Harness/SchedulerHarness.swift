@testable import BatchrunKit
import Testing

/// A ``Scheduler`` over a manifest written in YAML, with a ``FakeExecutor`` and a
/// ``RecordingObserver``, ready to run and to turn into a ``RunReport``.
struct SchedulerHarness {
  static let manifestPath = "/tmp/batchrun-tests/manifest.yaml"
  static let runID = "20261127T044514Z-0badcafe"
  static let runDirectory = "/tmp/batchrun-tests/.batchrun/runs/" + runID

  let plan: Plan
  let settings: RunSettings
  let launches: LaunchFactory
  let executor: FakeExecutor
  let observer = RecordingObserver()
  let scheduler: Scheduler

  /// - Parameters:
  ///   - yaml: the manifest's text; it must be valid.
  ///   - targets: the jobs to run with what they need; empty for all.
  init(
    _ yaml: String, targets: [String] = [], settings: RunSettings = RunSettings(concurrency: 2),
    executor: FakeExecutor = FakeExecutor()
  ) throws {
    let manifest = try ManifestLoader.load(bytes: Array(yaml.utf8), path: Self.manifestPath)
    try self.init(manifest: manifest, targets: targets, settings: settings, executor: executor)
  }

  /// A scheduler over `manifest` as given, unchecked: jobs built in code may hold values
  /// that validation would refuse.
  init(
    manifest: Manifest, targets: [String] = [], settings: RunSettings = RunSettings(concurrency: 2),
    executor: FakeExecutor = FakeExecutor()
  ) throws {
    plan = try Plan(manifest: manifest, targets: targets)
    self.settings = settings
    self.executor = executor
    launches = LaunchFactory(
      manifest: manifest, runID: Self.runID, runDirectory: Self.runDirectory, killGrace: settings.killGrace,
      inherited: ["PATH": "/usr/bin:/bin", "HOME": "/root"])
    scheduler = Scheduler(
      plan: plan, settings: settings, executor: executor, launches: launches, observers: [observer])
  }

  /// Runs the scheduler to the end.
  func run() async -> FinishedRun {
    let startedAt = WallClock.now
    let outcome = await scheduler.run()
    let report = RunReport(
      runID: Self.runID, plan: plan, settings: settings, outcome: outcome, startedAt: startedAt,
      finishedAt: WallClock.now)
    return FinishedRun(plan: plan, outcome: outcome, report: report)
  }
}

/// A run that has ended: its outcome and report, looked up by job id.
struct FinishedRun {
  let plan: Plan
  let outcome: Scheduler.Outcome
  let report: RunReport

  /// The result of the job `id`; records an issue and returns a placeholder if it has none.
  subscript(id: String) -> JobResult {
    guard let index = plan.graph.index[id], let result = outcome.results.first(where: { $0.index == index })
    else {
      Issue.record("no result for job '\(id)'")
      return JobResult(index: -1, status: .skipped, reason: "<no result for '\(id)'>")
    }
    return result
  }

  /// Each job's final status, by id.
  var statuses: [String: JobResult.Status] {
    Dictionary(uniqueKeysWithValues: outcome.results.map { (plan.graph.jobs[$0.index].id, $0.status) })
  }

  /// Job ids of the results, in the order the outcome lists them.
  var ids: [String] { outcome.results.map { plan.graph.jobs[$0.index].id } }
}
