@testable import BatchrunKit
import Testing

/// The report's critical path, live and rebuilt from a journal: only jobs that ran.
@Suite("Critical path")
struct CriticalPathTests {
  @Test func skippedJobsAreNotOnThePath() async throws {
    let yaml = """
      jobs:
        build: {run: 'make'}
        test: {run: 'make test', needs: build}
        package: {run: 'make package', needs: test}
      """
    let executor = FakeExecutor(["test": [.exits(1, after: .milliseconds(40))]])
    let run = try await SchedulerHarness(yaml, executor: executor).run()
    #expect(run["package"].status == .skipped)
    let path = run.report.criticalPath
    #expect(path.jobs.map { run.plan.graph.jobs[$0].id } == ["build", "test"])
    #expect(path.seconds > 0)
    // A report rebuilt from a journal agrees.
    let rebuilt = JournalReplay.criticalPath(run.report.document.jobs)
    #expect(rebuilt.jobs == ["build", "test"])
  }

  @Test("Ties go to the job first in the manifest, for the need chosen and for the last job")
  func ties() {
    // a, b (1 s each) -> c (1 s); d (2 s) alone: c's chain (2 s via a or b) ties with d.
    let path = CriticalPath.heaviest(needs: [[], [], [1, 0], []], durations: [1, 1, 1, 3])
    #expect(path.jobs == [3])
    #expect(path.seconds == 3)
    let tied = CriticalPath.heaviest(needs: [[], [], [1, 0], []], durations: [1, 1, 1, 2])
    #expect(tied.jobs == [0, 2], "a before b among c's needs; c's chain before d, which comes later")
    #expect(tied.seconds == 2)
  }

  @Test("Jobs that did not run belong to no chain; nothing ran, no path")
  func jobsThatDidNotRun() {
    let path = CriticalPath.heaviest(needs: [[], [0], [1]], durations: [2, nil, 1])
    #expect(path.jobs == [0])
    #expect(CriticalPath.heaviest(needs: [[], [0]], durations: [nil, nil]).jobs.isEmpty)
  }

  @Test("A live report and one rebuilt from its jobs name the same path when durations tie")
  func liveAndRebuiltAgreeOnTies() async throws {
    let yaml = """
      jobs:
        left: {run: 'x'}
        right: {run: 'x'}
        join: {run: 'x', needs: [right, left]}
      """
    let executor = FakeExecutor(fallback: .exits(0).reporting(.seconds(1)))
    let run = try await SchedulerHarness(yaml, settings: RunSettings(concurrency: 2), executor: executor)
      .run()
    let live = run.report.criticalPath.jobs.map { run.plan.graph.jobs[$0].id }
    #expect(JournalReplay.criticalPath(run.report.document.jobs).jobs == live)
  }
}
