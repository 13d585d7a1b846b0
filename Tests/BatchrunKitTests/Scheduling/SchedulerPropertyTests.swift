@testable import BatchrunKit
import Glibc
import Testing

/// Property tests of the scheduler (issue #6, item 5): random DAGs of 1-25 jobs, random
/// outcomes per attempt, random `when`, `allow-failure`, retries, timeouts, pool sizes
/// (1-6) and failure policies, run against a tracing fake executor and checked by an
/// independent reference model of docs/manifest.md and docs/cli.md (see ``SchedulerProperty/Model``).
///
/// Cases come from a fixed sequence of seeds, so every run checks the same cases (the
/// interleaving of concurrent events still varies). A failure names its case's seed;
/// `BATCHRUN_PROPERTY_SEED=<seed>` replays just that case, and
/// `BATCHRUN_PROPERTY_CASES=<n>` changes how many cases each property runs.
@Suite(.timeLimit(.minutes(2)))
struct SchedulerPropertyTests {
  typealias Property = SchedulerProperty

  static let baseSeed: UInt64 = 0x6261_7463_6872_756E
  /// Cases that run at once (each with its own scheduler and executor).
  static let parallelCases = 3

  @Test("random DAGs, outcomes, when/allow-failure, retries and policies: the scheduler keeps the rules")
  func randomRuns() async {
    await Self.check(property: "randomRuns", salt: 1, cases: 500, withTargets: false)
  }

  @Test("random targets: only their closure runs, by the same rules")
  func randomTargets() async {
    await Self.check(property: "randomTargets", salt: 2, cases: 250, withTargets: true)
  }

  // MARK: - Regressions: bugs the properties found, as small deterministic cases

  @Test("regression: a when: on-failure job without needs is skipped, as no need failed")
  func onFailureWithoutNeeds() async throws {
    // Found by randomRuns (e.g. case 0x4252b694076fdf91); docs/manifest.md: on-failure runs
    // when "some need `failed` or `timed_out` without `allow-failure`".
    let yaml = """
      jobs:
        build: {run: 'true'}
        notify: {run: './notify', when: on-failure}
      """
    let executor = FakeExecutor()
    let harness = try SchedulerHarness(yaml, executor: executor)
    let run = await harness.run()
    #expect(run["build"].status == .succeeded)
    #expect(run["notify"].status == .skipped)
    #expect(run["notify"].reason?.contains("on-failure") == true)
    #expect(!executor.recorded.started("notify"))
  }

  @Test("regression: --fail-fast retries a cleanup job that started after the failure")
  func failFastRetriesLaterCleanup() async throws {
    // Found by randomRuns and randomTargets (e.g. case 0x4252b694076fdf91, job j9).
    // README: under --fail-fast "always/on-failure cleanup jobs still run"; it stops the
    // jobs running at the failure, and `cleanup` only starts after it.
    let yaml = """
      jobs:
        bad: {run: 'false'}
        cleanup: {run: './cleanup', needs: bad, when: always, retries: 1}
      """
    let executor = FakeExecutor(["bad": [.exits(1)], "cleanup": [.exits(1), .exits(0)]])
    let harness = try SchedulerHarness(
      yaml, settings: RunSettings(concurrency: 2, failurePolicy: .failFast), executor: executor)
    let run = await harness.run()
    #expect(run["bad"].status == .failed)
    #expect(run.report.exitCode == 1)
    #expect(
      run["cleanup"].status == .succeeded, "\(run["cleanup"].status): \(run["cleanup"].reason ?? "-")")
    #expect(run["cleanup"].attempts.map(\.status) == [.failed, .succeeded])
    #expect(executor.recorded.attempts(of: "cleanup") == 2)
  }

  @Test("regression: observers hear that a need finished before they hear its dependent start")
  func observersHearNeedFinishBeforeDependentStart() async throws {
    // Found by randomRuns (e.g. case 0xa95d3fd664d6a353: j3 heard starting before its
    // need j2 finished). A worker makes `a` final and `c` ready under the lock, but tells
    // observers only after releasing it; meanwhile another worker (done with `b`) starts
    // `c`. A first observer that takes its time (as a journal's write may) widens that
    // window, so that the second observer hears `c` start before `a` finish.
    let yaml = """
      jobs:
        a: {run: 'true'}
        b: {run: 'true'}
        c: {run: 'true', needs: a}
      """
    let executor = FakeExecutor([
      "a": [.exits(0, after: .milliseconds(10))],
      "b": [.exits(0, after: .milliseconds(10)).waiting(for: "a")],
    ])
    let manifest = try ManifestLoader.load(bytes: Array(yaml.utf8), path: SchedulerHarness.manifestPath)
    let plan = try Plan(manifest: manifest)
    let settings = RunSettings(concurrency: 2)
    let launches = LaunchFactory(
      manifest: manifest, runID: SchedulerHarness.runID, runDirectory: SchedulerHarness.runDirectory,
      killGrace: settings.killGrace, inherited: ["PATH": "/usr/bin:/bin"])
    let recorder = RecordingObserver()
    let slow = SlowFinishObserver(job: "a", until: { recorder.entries.contains { $0.isStart(of: "c") } })
    let scheduler = Scheduler(
      plan: plan, settings: settings, executor: executor, launches: launches, observers: [slow, recorder])
    let outcome = await scheduler.run()
    #expect(outcome.results.allSatisfy { $0.status == .succeeded })
    let entries = recorder.entries
    let finishedA = try #require(entries.firstIndex(of: .jobFinished(job: "a", status: .succeeded)))
    let startedC = try #require(entries.firstIndex { $0.isStart(of: "c") })
    #expect(finishedA < startedC, "observers heard: \(entries)")
  }

  // MARK: - Running cases

  /// Runs one case to its end and checks it against the model.
  static func run(
    _ generated: Property.Case
  ) async -> (violations: [Property.Violation], notes: [String], trace: Property.Trace) {
    let trace = Property.Trace()
    let manifest = generated.manifest
    let plan: Plan
    do {
      plan = try Plan(manifest: manifest, targets: generated.targets)
    } catch {
      return ([Property.Violation(job: nil, message: "cannot plan: \(error)")], [], trace)
    }
    let settings = RunSettings(
      concurrency: generated.concurrency, failurePolicy: generated.policy, killGrace: .milliseconds(50))
    let launches = LaunchFactory(
      manifest: manifest, runID: SchedulerHarness.runID, runDirectory: SchedulerHarness.runDirectory,
      killGrace: settings.killGrace, inherited: ["PATH": "/usr/bin:/bin"])
    let scheduler = Scheduler(
      plan: plan, settings: settings, executor: Property.Executor(script: generated.script, trace: trace),
      launches: launches, observers: [Property.Observer(trace: trace)])
    let startedAt = WallClock.now
    let outcome = await scheduler.run()
    let report = RunReport(
      runID: SchedulerHarness.runID, plan: plan, settings: settings, outcome: outcome, startedAt: startedAt,
      finishedAt: WallClock.now)
    let (violations, notes) = Property.Model.check(
      generated, plan: plan, outcome: outcome, exitCode: report.exitCode, record: trace.record)
    return (violations, notes, trace)
  }

  /// The seeds to run: the one to replay, if `BATCHRUN_PROPERTY_SEED` names one, else
  /// `cases` (or `BATCHRUN_PROPERTY_CASES`) seeds from the fixed sequence.
  static func seeds(salt: UInt64, cases: Int) -> [UInt64] {
    if let text = getenv("BATCHRUN_PROPERTY_SEED").map({ String(cString: $0) }), !text.isEmpty {
      let seed = text.hasPrefix("0x") ? UInt64(text.dropFirst(2), radix: 16) : UInt64(text)
      guard let seed else {
        Issue.record("BATCHRUN_PROPERTY_SEED=\(text) is not a seed (decimal, or hex with 0x)")
        return []
      }
      return [seed]
    }
    let count = getenv("BATCHRUN_PROPERTY_CASES").flatMap { Int(String(cString: $0)) } ?? cases
    return (0..<count).map { Property.Random.seed($0, after: baseSeed ^ salt) }
  }

  static func check(
    property: String, salt: UInt64, cases: Int, withTargets: Bool,
    sourceLocation: Testing.SourceLocation = #_sourceLocation
  ) async {
    var seeds = seeds(salt: salt, cases: cases).makeIterator()
    var tally = Tally()
    await withTaskGroup(of: Tally.self) { group in
      func add(_ seed: UInt64) {
        group.addTask {
          let generated = Property.Case.generate(seed: seed, withTargets: withTargets)
          let (violations, notes, trace) = await run(generated)
          let record = trace.record
          if !violations.isEmpty {
            Issue.record(
              Comment(rawValue: describe(violations, of: generated, trace: record, property: property)),
              sourceLocation: sourceLocation)
          }
          var tally = Tally()
          tally.count(generated, violations: violations, notes: notes, trace: record)
          return tally
        }
      }
      for _ in 0..<parallelCases {
        if let seed = seeds.next() { add(seed) }
      }
      for await done in group {
        tally.add(done)
        if let seed = seeds.next() { add(seed) }
      }
    }
    print("\(property): \(tally)")
  }

  /// A case's broken rules, how to replay it, the case and its trace.
  static func describe(
    _ violations: [Property.Violation], of generated: Property.Case, trace: Property.Trace.Record,
    property: String
  ) -> String {
    let seed = Property.Case.hex(generated.seed)
    return """
      \(violations.count) rule(s) broken, case \(seed) (replay: BATCHRUN_PROPERTY_SEED=\(seed) \
      swift test --skip-build --filter SchedulerPropertyTests/\(property)):
      \(violations.map { "- \($0)" }.joined(separator: "\n"))
      case: \(generated)
      trace:
      \(trace.events.map(\.description).joined(separator: "\n"))
      """
  }

  /// What the cases exercised, so that a change of the generator that stops covering
  /// something shows in the log.
  struct Tally: CustomStringConvertible {
    var cases = 0
    var jobs = 0
    var attempts = 0
    var statuses: [JobResult.Status: Int] = [:]
    var broken = 0
    /// Races the model let pass, by kind.
    var notes: [String: Int] = [:]

    mutating func count(
      _ generated: Property.Case, violations: [Property.Violation], notes: [String],
      trace: Property.Trace.Record
    ) {
      cases += 1
      jobs += generated.selected.count
      broken += violations.isEmpty ? 0 : 1
      for note in notes { self.notes[note, default: 0] += 1 }
      for event in trace.events {
        switch event.kind {
        case .began: attempts += 1
        case .observedFinish(let status, _): statuses[status, default: 0] += 1
        default: break
        }
      }
    }

    mutating func add(_ other: Tally) {
      cases += other.cases
      jobs += other.jobs
      attempts += other.attempts
      broken += other.broken
      statuses.merge(other.statuses, uniquingKeysWith: +)
      notes.merge(other.notes, uniquingKeysWith: +)
    }

    var description: String {
      let byStatus = JobResult.Status.allCases.map { "\($0.rawValue) \(statuses[$0] ?? 0)" }
      let races = notes.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }
      return """
        \(cases) cases, \(jobs) jobs, \(attempts) attempts; \(byStatus.joined(separator: ", ")); \
        \(broken) cases broke rules; \
        races let pass [\(races.joined(separator: "; "))]
        """
    }
  }
}

/// An observer that, told `job` finished, holds the worker there until `until` holds (at
/// most 0.3 s), as a slow journal or console could: observers after it hear later.
private final class SlowFinishObserver: RunObserver {
  let job: String
  let until: @Sendable () -> Bool

  init(job: String, until: @escaping @Sendable () -> Bool) {
    self.job = job
    self.until = until
  }

  func jobFinished(_ job: Job, result: JobResult) {
    guard job.id == self.job else { return }
    // Long enough for another worker to start the dependent, were it allowed to.
    let deadline = ContinuousClock.now + .milliseconds(300)
    while !until() && ContinuousClock.now < deadline { usleep(1000) }
  }
}

extension RecordingObserver.Entry {
  fileprivate func isStart(of job: String) -> Bool {
    if case .attemptStarted(job, _, _) = self { return true }
    return false
  }
}
