import BatchrunKit
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
    let jobs = run.report.json()["jobs"]?.arrayValue ?? []
    let rebuilt = JournalReplay.criticalPath(jobs)
    #expect(rebuilt["jobs"]?.arrayValue?.compactMap(\.stringValue) == ["build", "test"])
  }
}
