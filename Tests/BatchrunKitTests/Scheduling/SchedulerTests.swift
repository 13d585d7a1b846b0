@testable import BatchrunKit
import Glibc
import Synchronization
import Testing

/// The scheduler against a fake executor: the pool, the order, `when`, the failure
/// policies, retries, timeouts and interruption (docs/manifest.md, docs/cli.md), and the
/// report's verdict (docs/cli.md's exit codes, docs/report.md).
///
/// Attempts sleep 20-50 ms; where an order matters, the fake executor makes one attempt
/// wait for another's start or end rather than trusting the clock.
@Suite(.timeLimit(.minutes(1)))
struct SchedulerTests {
  // MARK: - The pool

  /// 24 jobs in three layers of 8, each layer needing the one before.
  static func layeredManifest() -> String {
    var yaml = "jobs:\n"
    for index in 0..<24 {
      yaml += "  j\(index): {run: 'true'\(index >= 8 ? ", needs: j\(index - 8)" : "")}\n"
    }
    return yaml
  }

  @Test("never more than `concurrency` jobs run at once, and the pool fills", arguments: [1, 2, 4])
  func concurrencyCap(concurrency: Int) async throws {
    let executor = FakeExecutor(fallback: .exits(0, after: .milliseconds(30)))
    let harness = try SchedulerHarness(
      Self.layeredManifest(), settings: RunSettings(concurrency: concurrency), executor: executor)
    let run = await harness.run()
    let record = executor.recorded

    #expect(record.maxRunning <= concurrency)
    #expect(record.events.allSatisfy { $0.running <= concurrency })
    #expect(record.maxRunning == concurrency, "the pool should use all of its \(concurrency) workers")
    #expect(run.outcome.results.count == 24)
    #expect(run.outcome.results.allSatisfy { $0.status == .succeeded })
    #expect(Set(record.startOrder) == Set((0..<24).map { "j\($0)" }))
    #expect(record.events.filter { $0.kind == .started }.count == 24, "each job runs once")
    #expect(record.drainCalls == 1)
    #expect(record.runningAtDrain == 0)
    #expect(harness.observer.finished.sorted() == (0..<24).map { "j\($0)" }.sorted())
    #expect(run.report.exitCode == 0)
  }

  @Test("when a job readies many at once, parked workers wake to run them side by side")
  func readyJobsWakeParkedWorkers() async throws {
    // Three layers of 6, each job needing the whole layer before it (like W3): every
    // layer is released at once by its predecessor's last job, while 3 workers are parked.
    var yaml = "jobs:\n"
    for layer in 0..<3 {
      for index in 0..<6 {
        let needs =
          layer == 0 ? "" : ", needs: [" + (0..<6).map { "l\(layer - 1)j\($0)" }.joined(separator: ", ") + "]"
        yaml += "  l\(layer)j\(index): {run: 'true'\(needs)}\n"
      }
    }
    let executor = FakeExecutor(fallback: .exits(0, after: .milliseconds(40)))
    let harness = try SchedulerHarness(yaml, settings: RunSettings(concurrency: 4), executor: executor)
    let run = await harness.run()
    let events = executor.recorded.events
    for layer in 1..<3 {
      let widest = events.filter { $0.kind == .started && $0.job.hasPrefix("l\(layer)") }.map(\.running).max()
      #expect(widest == 4, "layer \(layer) should run 4 at once, ran at most \(widest ?? 0)")
    }
    #expect(run.outcome.results.allSatisfy { $0.status == .succeeded })
    #expect(executor.recorded.maxRunning <= 4)
  }

  @Test("observers are called one at a time, and hear every job, needs before dependents")
  func observersHearEventsOneAtATime() async throws {
    var yaml = "jobs:\n"
    for index in 0..<120 {
      yaml += "  j\(index): {run: 'true'\(index >= 8 ? ", needs: j\(index - 8)" : "")}\n"
    }
    let executor = FakeExecutor(fallback: .exits(0, after: .zero))
    let manifest = try ManifestLoader.load(bytes: Array(yaml.utf8), path: SchedulerHarness.manifestPath)
    let plan = try Plan(manifest: manifest, targets: [])
    let observer = OverlapDetector()
    let scheduler = Scheduler(
      plan: plan, settings: RunSettings(concurrency: 8), executor: executor,
      launches: LaunchFactory(
        manifest: manifest, runID: SchedulerHarness.runID, runDirectory: SchedulerHarness.runDirectory,
        killGrace: .seconds(1), inherited: [:]),
      observers: [observer])
    let outcome = await scheduler.run()
    #expect(outcome.results.count == 120)
    #expect(observer.overlaps == 0, "an observer was called while another call was still running")
    let finished = observer.finished
    #expect(Set(finished) == Set((0..<120).map { "j\($0)" }))
    for index in 8..<120 {
      let need = try #require(finished.firstIndex(of: "j\(index - 8)"))
      let start = try #require(observer.started.firstIndex(of: "j\(index)"))
      #expect(
        observer.startedAfterFinishes[start] > need, "j\(index) heard starting before j\(index - 8) finished")
    }
  }

  @Test("a manifest's concurrency larger than its job count is fine")
  func fewerJobsThanWorkers() async throws {
    let executor = FakeExecutor()
    let harness = try SchedulerHarness(
      "jobs:\n  a: {run: 'true'}\n  b: {run: 'true'}\n", settings: RunSettings(concurrency: 8),
      executor: executor)
    let run = await harness.run()
    #expect(run.statuses == ["a": .succeeded, "b": .succeeded])
    #expect(executor.recorded.maxRunning <= 2)
  }

  @Test("no job starts before every job it needs has finished")
  func needsFinishFirst() async throws {
    var yaml = "jobs:\n"
    var needs: [String: [String]] = [:]
    var script: [String: [FakeAttempt]] = [:]
    for index in 0..<30 {
      var mine: [String] = []
      if index % 3 != 0 { mine.append("n\(index - 1)") }
      if index % 5 == 0 && index > 0 { mine.append("n\(index / 2)") }
      if index % 7 == 6 { mine.append("n\(index - 6)") }
      needs["n\(index)"] = mine
      yaml += "  n\(index): {run: 'true', needs: [\(mine.joined(separator: ", "))]}\n"
      script["n\(index)"] = [.exits(0, after: .milliseconds(10 + (index * 7 % 5) * 10))]
    }
    let executor = FakeExecutor(script)
    let harness = try SchedulerHarness(yaml, settings: RunSettings(concurrency: 4), executor: executor)
    let run = await harness.run()
    let record = executor.recorded

    #expect(run.outcome.results.allSatisfy { $0.status == .succeeded })
    for (job, jobNeeds) in needs {
      let start = try #require(record.firstStart(of: job), "\(job) never started")
      for need in jobNeeds {
        let end = try #require(record.lastEnd(of: need), "\(need) never ended")
        #expect(end < start, "\(job) started before its need \(need) finished")
      }
    }
    // Observers hear of a need's end before its dependent's start, too.
    let entries = harness.observer.entries
    for (job, jobNeeds) in needs {
      let started = entries.firstIndex(of: .attemptStarted(job: job, attempt: 1, log: "logs/\(job).log"))
      for need in jobNeeds {
        let finished = entries.firstIndex(of: .jobFinished(job: need, status: .succeeded))
        #expect(finished != nil && started != nil && finished! < started!, "\(need) before \(job)")
      }
    }
  }

  @Test("at concurrency 1, ready jobs start critical path first, ties in manifest order")
  func criticalPathFirst() async throws {
    let yaml = """
      jobs:
        short: {run: 'true'}
        long1: {run: 'true'}
        mid1: {run: 'true'}
        tie: {run: 'true'}
        long2: {run: 'true', needs: long1}
        mid2: {run: 'true', needs: mid1}
        long3: {run: 'true', needs: long2}
      """
    let executor = FakeExecutor()
    let harness = try SchedulerHarness(yaml, settings: RunSettings(concurrency: 1), executor: executor)
    _ = await harness.run()
    let expected = ["long1", "mid1", "long2", "short", "tie", "mid2", "long3"]
    #expect(executor.recorded.startOrder == expected)
    let waves = harness.plan.waves(concurrency: 1).flatMap { $0 }.map { harness.plan.graph.jobs[$0].id }
    #expect(waves == expected, "the dry-run plan and the real order agree")
  }

  @Test("only the targets and what they need run; results come in manifest order")
  func targets() async throws {
    let yaml = """
      jobs:
        other: {run: 'true'}
        z: {run: 'true'}
        y: {run: 'true', needs: [z]}
        x: {run: 'true', needs: [y]}
        unrelated: {run: 'true', needs: [z]}
      """
    let executor = FakeExecutor()
    let harness = try SchedulerHarness(yaml, targets: ["x"], executor: executor)
    let run = await harness.run()
    #expect(run.ids == ["z", "y", "x"])
    #expect(Set(executor.recorded.startOrder) == ["z", "y", "x"])
    #expect(run.report.document.json()["summary"]?["total"]?.intValue == 3)
  }

  // MARK: - when

  @Test("an allow-failure need that failed counts as succeeded for `when`")
  func allowFailureCountsAsSuccess() async throws {
    let yaml = """
      jobs:
        flaky: {run: 'false', allow-failure: true}
        after: {run: 'true', needs: flaky}
        on-failure: {run: 'true', needs: flaky, when: on-failure}
        always: {run: 'true', needs: flaky, when: always}
        later: {run: 'true', needs: after}
      """
    let executor = FakeExecutor(["flaky": [.exits(1)]])
    let harness = try SchedulerHarness(yaml, executor: executor)
    let run = await harness.run()

    #expect(run["flaky"].status == .failed)
    #expect(run["after"].status == .succeeded)
    #expect(run["always"].status == .succeeded)
    #expect(run["later"].status == .succeeded, "an allow-failure failure does not stop the run")
    #expect(run["on-failure"].status == .skipped)
    #expect(run["on-failure"].reason?.contains("on-failure") == true, "\(run["on-failure"].reason ?? "nil")")
    #expect(!executor.recorded.started("on-failure"))
    #expect(run.report.exitCode == 0)
    #expect(run.report.status == .succeeded)
  }

  @Test("`when` is judged once every need has finished: on-success, always, on-failure")
  func whenConditions() async throws {
    let yaml = """
      jobs:
        good: {run: 'true'}
        bad: {run: 'false'}
        dep: {run: 'true', needs: [good, bad]}
        dep2: {run: 'true', needs: dep}
        cleanup: {run: 'true', needs: [good, bad], when: always}
        notify: {run: 'true', needs: [good, bad], when: on-failure}
        quiet: {run: 'true', needs: [good], when: on-failure}
        after-skip: {run: 'true', needs: dep, when: always}
      """
    let executor = FakeExecutor(["bad": [.exits(2)]])
    let harness = try SchedulerHarness(
      yaml, settings: RunSettings(concurrency: 2, failurePolicy: .keepGoing), executor: executor)
    let run = await harness.run()

    #expect(run["good"].status == .succeeded)
    #expect(run["bad"].status == .failed)
    #expect(run["dep"].status == .skipped)
    #expect(
      run["dep"].reason?.contains("'bad'") == true,
      "reason names the failed need: \(run["dep"].reason ?? "nil")")
    #expect(run["dep2"].status == .skipped)
    #expect(
      run["dep2"].reason?.contains("'dep'") == true,
      "reason names the skipped need: \(run["dep2"].reason ?? "nil")")
    #expect(run["cleanup"].status == .succeeded)
    #expect(run["notify"].status == .succeeded)
    #expect(run["quiet"].status == .skipped, "on-failure, and no need failed")
    #expect(run["quiet"].reason != nil)
    #expect(run["after-skip"].status == .succeeded, "a skipped need has finished, for `when: always`")
    for skipped in ["dep", "dep2", "quiet"] {
      #expect(!executor.recorded.started(skipped), "\(skipped) should never have started")
      #expect(run[skipped].attempts.isEmpty)
    }
    let record = executor.recorded
    for job in ["cleanup", "notify"] {
      #expect(record.lastEnd(of: "bad")! < record.firstStart(of: job)!)
      #expect(record.lastEnd(of: "good")! < record.firstStart(of: job)!)
    }
    #expect(run.report.exitCode == 1)
    #expect(run.report.status == .failed)
  }

  @Test("a timed-out need counts as failed for `when: on-failure`")
  func timedOutNeedTriggersOnFailure() async throws {
    let yaml = """
      jobs:
        slow: {run: 'sleep 100', timeout: 50ms}
        dep: {run: 'true', needs: slow}
        notify: {run: 'true', needs: slow, when: on-failure}
      """
    let executor = FakeExecutor(["slow": [.hangs]])
    let harness = try SchedulerHarness(yaml, executor: executor)
    let run = await harness.run()
    #expect(run["slow"].status == .timedOut)
    #expect(run["dep"].status == .skipped)
    #expect(run["dep"].reason?.contains("'slow'") == true)
    #expect(run["notify"].status == .succeeded)
  }

  // MARK: - Failure policies

  @Test("default policy: after a failure nothing new starts but always/on-failure jobs; running jobs finish")
  func defaultPolicy() async throws {
    let yaml = """
      jobs:
        bad: {run: 'false'}
        slow: {run: 'true'}
        later1: {run: 'true'}
        later2: {run: 'true'}
        after-slow: {run: 'true', needs: slow}
        cleanup: {run: 'true', needs: slow, when: always}
        report: {run: 'true', needs: bad, when: on-failure}
        free-always: {run: 'true', when: always}
      """
    let executor = FakeExecutor([
      "bad": [.exits(1).waiting(forStartOf: "slow")],
      "slow": [.exits(0, after: .milliseconds(50)).waiting(for: "bad")],
    ])
    let harness = try SchedulerHarness(yaml, settings: RunSettings(concurrency: 2), executor: executor)
    let run = await harness.run()
    let record = executor.recorded

    #expect(run["bad"].status == .failed)
    #expect(run["slow"].status == .succeeded, "a job running at the failure is let finish")
    for job in ["later1", "later2", "after-slow"] {
      #expect(run[job].status == .skipped, "\(job)")
      #expect(run[job].reason?.contains("fail") == true, "\(job): \(run[job].reason ?? "nil")")
      #expect(!record.started(job), "\(job) started after the failure")
    }
    for job in ["cleanup", "report", "free-always"] {
      #expect(run[job].status == .succeeded, "\(job)")
    }
    #expect(run.report.exitCode == 1)
    #expect(run.report.status == .failed)
    #expect(record.killAllCalls == 0)
  }

  @Test("--keep-going: everything that does not need the failed job runs")
  func keepGoing() async throws {
    let yaml = """
      jobs:
        bad: {run: 'false'}
        dep: {run: 'true', needs: bad}
        dep2: {run: 'true', needs: dep}
        one: {run: 'true'}
        two: {run: 'true', needs: one}
        three: {run: 'true', needs: [two]}
      """
    let executor = FakeExecutor([
      "bad": [.exits(1)],
      "one": [.exits(0).waiting(for: "bad")],
    ])
    let harness = try SchedulerHarness(
      yaml, settings: RunSettings(concurrency: 2, failurePolicy: .keepGoing), executor: executor)
    let run = await harness.run()

    #expect(run["bad"].status == .failed)
    #expect(run["dep"].status == .skipped)
    #expect(run["dep"].reason?.contains("'bad'") == true)
    #expect(run["dep2"].status == .skipped)
    for job in ["one", "two", "three"] {
      #expect(run[job].status == .succeeded, "\(job)")
    }
    #expect(executor.recorded.lastEnd(of: "bad")! < executor.recorded.firstStart(of: "two")!)
    #expect(run.report.exitCode == 1)
    #expect(run.report.count(.skipped) == 2)
  }

  @Test("--fail-fast: running jobs are stopped and cancelled, nothing new starts")
  func failFast() async throws {
    let yaml = """
      jobs:
        bad: {run: 'false'}
        long: {run: 'sleep 100'}
        after: {run: 'true', needs: long}
        later: {run: 'true'}
        cleanup: {run: 'true', needs: long, when: always}
      """
    let executor = FakeExecutor([
      "bad": [.exits(1).waiting(forStartOf: "long")],
      "long": [.hangs],
    ])
    let harness = try SchedulerHarness(
      yaml, settings: RunSettings(concurrency: 2, failurePolicy: .failFast), executor: executor)
    let run = await harness.run()

    #expect(run["bad"].status == .failed)
    #expect(run["long"].status == .cancelled)
    #expect(run["long"].reason?.contains("fail-fast") == true, "\(run["long"].reason ?? "nil")")
    #expect(run["long"].attempts.count == 1)
    #expect(run["long"].lastAttempt?.exit.termination == .signaled(SIGTERM))
    #expect(run["after"].status == .skipped)
    #expect(run["later"].status == .skipped)
    #expect(!executor.recorded.started("later"))
    #expect(!executor.recorded.started("after"))
    #expect(run["cleanup"].status == .succeeded, "an always job still runs once its needs are done")
    #expect(run.report.exitCode == 1)
    #expect(run.report.status == .failed)
    let long = try #require(run.report.document.json()["jobs"]?.arrayValue?[1])
    #expect(long["signal"] == .string("SIGTERM"))
    #expect(long["exit_code"] == .null)
  }

  @Test("an allow-failure job failing does not trigger --fail-fast")
  func allowFailureDoesNotFailFast() async throws {
    let yaml = """
      jobs:
        lint: {run: 'false', allow-failure: true}
        build: {run: 'true'}
        test: {run: 'true', needs: build}
      """
    let executor = FakeExecutor([
      "lint": [.exits(1).waiting(forStartOf: "build")],
      "build": [.exits(0, after: .milliseconds(30)).waiting(for: "lint")],
    ])
    let harness = try SchedulerHarness(
      yaml, settings: RunSettings(concurrency: 2, failurePolicy: .failFast), executor: executor)
    let run = await harness.run()
    #expect(run.statuses == ["lint": .failed, "build": .succeeded, "test": .succeeded])
    #expect(run.report.exitCode == 0)
  }

  // MARK: - Retries

  @Test("a job failing twice then succeeding has 3 attempts and succeeds")
  func retries() async throws {
    let yaml = """
      jobs:
        flaky: {run: './flaky', retries: 2}
        stubborn: {run: 'false', retries: 1}
        fine: {run: 'true', retries: 3}
        sleepy: {run: 'sleep 100', retries: 1, timeout: 5s}
      """
    // The timeout also bounds the second attempt, which exits at once: 5 s leaves room for
    // a harness starved by the rest of the suite (this failed once at 2 s, with the test
    // taking 52 s).
    let executor = FakeExecutor([
      "flaky": [.exits(1), .killed(by: SIGKILL), .exits(0)],
      "stubborn": [.exits(4)],
      "sleepy": [.hangs, .exits(0)],
    ])
    let harness = try SchedulerHarness(
      yaml, settings: RunSettings(concurrency: 4, failurePolicy: .keepGoing), executor: executor)
    let run = await harness.run()

    let flaky = run["flaky"]
    #expect(flaky.status == .succeeded)
    #expect(flaky.attempts.map(\.attempt) == [1, 2, 3])
    #expect(flaky.attempts.map(\.status) == [.failed, .failed, .succeeded])
    #expect(
      flaky.attempts.map(\.log) == ["logs/flaky.log", "logs/flaky.attempt-2.log", "logs/flaky.attempt-3.log"])
    let launches = executor.recorded.launches.filter { $0.job.id == "flaky" }
    #expect(launches.map(\.attempt) == [1, 2, 3])
    #expect(
      launches.map { $0.environment.filter { $0.hasPrefix("BATCHRUN_ATTEMPT=") } } == [
        ["BATCHRUN_ATTEMPT=1"], ["BATCHRUN_ATTEMPT=2"], ["BATCHRUN_ATTEMPT=3"],
      ])
    #expect(launches.map(\.logPath).allSatisfy { $0.hasPrefix(SchedulerHarness.runDirectory + "/logs/") })
    let retried = harness.observer.entries.filter {
      if case .attemptWillRetry(job: "flaky", _, _) = $0 { return true }
      return false
    }
    #expect(
      retried == [
        .attemptWillRetry(job: "flaky", attempt: 1, status: .failed),
        .attemptWillRetry(job: "flaky", attempt: 2, status: .failed),
      ])

    #expect(run["stubborn"].status == .failed)
    #expect(run["stubborn"].attempts.count == 2, "retries: 1 is two attempts in all")
    #expect(run["fine"].attempts.count == 1, "a success is not retried")
    #expect(run["sleepy"].attempts.map(\.status) == [.timedOut, .succeeded], "timeouts are retried")
    #expect(run["sleepy"].status == .succeeded)
    #expect(run.report.exitCode == 1)
  }

  @Test("any retries a Job built in code holds, Int.max or negative, runs without trapping")
  func retriesAtTheEdgesOfInt() async throws {
    let jobs = [
      Job(id: "most", command: .shell("./flaky"), retries: .max),
      Job(id: "negative", command: .shell("false"), retries: -5),
      Job(id: "least", command: .shell("false"), retries: .min),
    ]
    let executor = FakeExecutor([
      "most": [.exits(1), .exits(1), .exits(0)], "negative": [.exits(1)], "least": [.exits(1)],
    ])
    let harness = try SchedulerHarness(
      manifest: makeManifest(jobs), settings: RunSettings(concurrency: 3, failurePolicy: .keepGoing),
      executor: executor)
    let run = await harness.run()
    #expect(run["most"].status == .succeeded)
    #expect(run["most"].attempts.map(\.attempt) == [1, 2, 3])
    #expect(run["negative"].attempts.map(\.status) == [.failed], "fewer than 0 retries is one attempt")
    #expect(run["least"].attempts.map(\.status) == [.failed])
  }

  // MARK: - Timeouts

  @Test("the settings' default timeout and a job's own timeout both end jobs as timed_out")
  func timeouts() async throws {
    let yaml = """
      defaults: {retries: 0}
      jobs:
        default-limit: {run: 'sleep 100'}
        own-limit: {run: 'sleep 100', timeout: 60ms}
        own-longer: {run: 'sleep 3.5', timeout: 30s}
        quick: {run: 'true'}
      """
    let executor = FakeExecutor([
      "default-limit": [.hangs],
      "own-limit": [.hangs],
      "own-longer": [.exits(0, after: .milliseconds(3500))],
    ])
    // The default is long enough for `quick` to finish on a starved machine.
    let settings = RunSettings(concurrency: 4, failurePolicy: .keepGoing, defaultTimeout: .seconds(3))
    let harness = try SchedulerHarness(yaml, settings: settings, executor: executor)
    let run = await harness.run()

    #expect(run["default-limit"].status == .timedOut)
    #expect(run["own-limit"].status == .timedOut)
    #expect(run["own-limit"].lastAttempt?.status == .timedOut)
    #expect(run["own-longer"].status == .succeeded, "a job's own timeout overrides the default")
    #expect(run["quick"].status == .succeeded)
    #expect(run["default-limit"].lastAttempt?.exit.termination == .signaled(SIGTERM))
    #expect(run.report.exitCode == 1)
    #expect(run.report.count(.timedOut) == 2)
  }

  @Test("a manifest's `defaults: timeout` applies to its jobs")
  func manifestDefaultTimeout() async throws {
    let yaml = """
      defaults: {timeout: 50ms}
      jobs:
        hang: {run: 'sleep 100'}
      """
    let harness = try SchedulerHarness(yaml, executor: FakeExecutor(["hang": [.hangs]]))
    let run = await harness.run()
    #expect(run["hang"].status == .timedOut)
  }

  // MARK: - Interruption

  @Test("SIGINT: running jobs are cancelled, unstarted ones too, and the run exits 130")
  func interrupt() async throws {
    let yaml = """
      jobs:
        a: {run: 'sleep 100'}
        b: {run: 'sleep 100'}
        c: {run: 'true', needs: a}
        d: {run: 'true'}
        e: {run: 'true', needs: c, when: always}
      """
    let executor = FakeExecutor(["a": [.hangs], "b": [.hangs]])
    let harness = try SchedulerHarness(yaml, settings: RunSettings(concurrency: 2), executor: executor)
    async let finished = harness.run()
    let bothRunning = await executor.waitUntil { $0.running.count == 2 }
    #expect(bothRunning)
    harness.scheduler.interrupt(signal: SIGINT)
    let run = await finished

    #expect(run.outcome.interruption == SIGINT)
    for job in ["a", "b"] {
      #expect(run[job].status == .cancelled, "\(job)")
      #expect(run[job].reason?.contains("SIGINT") == true, "\(job): \(run[job].reason ?? "nil")")
      #expect(run[job].lastAttempt?.exit.termination == .signaled(SIGTERM))
    }
    for job in ["c", "d", "e"] {
      #expect(run[job].status == .cancelled, "\(job) never started because batchrun was interrupted")
      #expect(run[job].reason?.contains("interrupted") == true, "\(job): \(run[job].reason ?? "nil")")
      #expect(!executor.recorded.started(job))
    }
    #expect(run.report.exitCode == 130)
    #expect(run.report.status == .cancelled)
    #expect(run.report.count(.cancelled) == 5)
    #expect(executor.recorded.killAllCalls == 0)
    #expect(harness.observer.finished.count == 5)
  }

  @Test("SIGTERM: exit code 143")
  func interruptByTerm() async throws {
    let executor = FakeExecutor(["a": [.hangs]])
    let harness = try SchedulerHarness("jobs:\n  a: {run: 'sleep 100'}\n", executor: executor)
    async let finished = harness.run()
    #expect(await executor.waitUntil { $0.started("a") })
    harness.scheduler.interrupt(signal: SIGTERM)
    let run = await finished
    #expect(run["a"].status == .cancelled)
    #expect(run.report.exitCode == 143)
  }

  @Test("a second interrupt kills what is left at once")
  func secondInterruptKills() async throws {
    let executor = FakeExecutor(["stubborn": [FakeAttempt.hangs.ignoringStop()]])
    let harness = try SchedulerHarness(
      "jobs:\n  stubborn: {run: 'trap \"\" TERM; sleep 100'}\n", executor: executor)
    async let finished = harness.run()
    #expect(await executor.waitUntil { $0.started("stubborn") })
    harness.scheduler.interrupt(signal: SIGINT)
    try await Task.sleep(for: .milliseconds(50))
    #expect(executor.recorded.running == ["stubborn"], "the job ignores SIGTERM")
    harness.scheduler.interrupt(signal: SIGINT)
    let run = await finished
    #expect(executor.recorded.killAllCalls == 1)
    #expect(run["stubborn"].status == .cancelled)
    #expect(run["stubborn"].lastAttempt?.exit.termination == .signaled(SIGKILL))
    #expect(run.report.exitCode == 130)
  }

  @Test("an interrupt during a retry delay cancels the job at once and starts no further attempt")
  func interruptDuringRetryDelay() async throws {
    let yaml = "jobs:\n  flaky: {run: 'false', retries: 3, retry-delay: 60s}\n"
    let executor = FakeExecutor(["flaky": [.exits(1)]])
    let harness = try SchedulerHarness(yaml, executor: executor)
    let runTask = Task { await harness.run() }
    #expect(await executor.waitUntil { $0.lastEnd(of: "flaky") != nil })
    let interrupted = ContinuousClock.now
    harness.scheduler.interrupt(signal: SIGINT)
    let run = await runTask.value
    // The run should end at once, long before the 60 s retry delay is out: half of it is
    // a generous bound, even for a test process starved by its neighbours.
    #expect(ContinuousClock.now - interrupted < .seconds(30))
    #expect(executor.recorded.attempts(of: "flaky") == 1)
    #expect(run.outcome.interruption == SIGINT)
    #expect(run.report.exitCode == 130)
    #expect(run["flaky"].status == .cancelled)
    #expect(run["flaky"].reason?.contains("SIGINT") == true)
  }

  @Test("--fail-fast stops a job waiting out its retry delay: cancelled, no further attempt")
  func failFastDuringRetryDelay() async throws {
    let yaml = """
      jobs:
        flaky: {run: 'false', retries: 2, retry-delay: 300ms}
        bad: {run: 'false'}
      """
    let executor = FakeExecutor([
      "flaky": [.exits(1)],
      "bad": [.exits(1).waiting(for: "flaky")],
    ])
    let harness = try SchedulerHarness(
      yaml, settings: RunSettings(concurrency: 2, failurePolicy: .failFast), executor: executor)
    let run = await harness.run()
    #expect(run["bad"].status == .failed)
    #expect(
      executor.recorded.attempts(of: "flaky") == 1, "no attempt starts after --fail-fast stopped the run")
    #expect(run.report.exitCode == 1)
    #expect(run["flaky"].status == .cancelled)
    #expect(run["flaky"].reason?.contains("fail-fast") == true)
  }

  // MARK: - The verdict

  static let exitCodeCases: [(String, [String: [FakeAttempt]], Int32)] = [
    ("jobs:\n  a: {run: 'true'}\n  b: {run: 'true', needs: a}\n", [:], 0),
    (
      "jobs:\n  a: {run: 'false', allow-failure: true}\n  b: {run: 'true', needs: a}\n", ["a": [.exits(1)]], 0
    ),
    ("jobs:\n  a: {run: 'false'}\n  b: {run: 'true'}\n", ["a": [.exits(1)]], 1),
    ("jobs:\n  a: {run: 'true'}\n  b: {run: 'false', needs: a}\n", ["b": [.killed(by: SIGSEGV)]], 1),
    ("jobs:\n  a: {run: 'x'}\n", ["a": [.failsToStart()]], 1),
    ("jobs:\n  a: {run: 'sleep 9', timeout: 20ms}\n", ["a": [.hangs]], 1),
    ("jobs:\n  a: {run: 'sleep 9', timeout: 20ms, allow-failure: true}\n", ["a": [.hangs]], 0),
  ]

  @Test(
    "exit codes: 0 when every job that ran succeeded (allow-failure excluded), else 1",
    arguments: exitCodeCases)
  func exitCodes(yaml: String, script: [String: [FakeAttempt]], expected: Int32) async throws {
    let harness = try SchedulerHarness(yaml, executor: FakeExecutor(script))
    let run = await harness.run()
    #expect(run.report.exitCode == expected)
    #expect(run.report.status == (expected == 0 ? .succeeded : .failed))
    #expect(run.report.document.json()["exit_code"]?.intValue == Int(expected))
    #expect(run.report.document.json()["status"]?.stringValue == (expected == 0 ? "succeeded" : "failed"))
  }

  @Test(
    "the critical path is the chain with the largest sum of this run's durations",
    arguments: [
      (10, ["a", "b", "d"], 7.0),
      (9_000, ["e"], 9.0),
    ])
  func criticalPath(eMilliseconds: Int, path: [String], seconds: Double) async throws {
    let yaml = """
      jobs:
        a: {run: 'true'}
        b: {run: 'true', needs: a}
        c: {run: 'true', needs: a}
        d: {run: 'true', needs: [c, b]}
        e: {run: 'true'}
      """
    let executor = FakeExecutor([
      "a": [.exits(0).reporting(.seconds(1))],
      "b": [.exits(0).reporting(.seconds(5))],
      "c": [.exits(0).reporting(.seconds(2))],
      "d": [.exits(0).reporting(.seconds(1))],
      "e": [.exits(0).reporting(.milliseconds(eMilliseconds))],
    ])
    let harness = try SchedulerHarness(yaml, executor: executor)
    let run = await harness.run()
    let critical = run.report.criticalPath
    #expect(critical.jobs.map { run.plan.graph.jobs[$0].id } == path)
    #expect(abs(critical.seconds - seconds) < 0.0005)
    let json = run.report.document.json()["critical_path"]
    #expect(json?["jobs"] == .array(path.map(JSON.string)))
    #expect(json?["duration_seconds"]?.doubleValue.map { abs($0 - seconds) < 0.0005 } == true)
  }
}

/// An observer that notices two of its calls overlapping; each call lingers a little to
/// widen the window.
private final class OverlapDetector: RunObserver {
  private let inside = Atomic<Int>(0)
  private let overlapCount = Atomic<Int>(0)
  private let state = Mutex((started: [String](), startedAfterFinishes: [Int](), finished: [String]()))

  var overlaps: Int { overlapCount.load(ordering: .relaxed) }
  var started: [String] { state.withLock { $0.started } }
  /// For each start, how many finishes had been heard before it.
  var startedAfterFinishes: [Int] { state.withLock { $0.startedAfterFinishes } }
  var finished: [String] { state.withLock { $0.finished } }

  private func call(_ body: () -> Void) {
    if inside.add(1, ordering: .sequentiallyConsistent).oldValue != 0 {
      overlapCount.add(1, ordering: .relaxed)
    }
    body()
    usleep(100)
    inside.subtract(1, ordering: .sequentiallyConsistent)
  }

  func attemptStarted(_ job: Job, attempt: Int, log: String) {
    call {
      state.withLock {
        $0.started.append(job.id)
        $0.startedAfterFinishes.append($0.finished.count)
      }
    }
  }

  func attemptWillRetry(_ job: Job, record: AttemptRecord) { call {} }

  func jobFinished(_ job: Job, result: JobResult) {
    call { state.withLock { $0.finished.append(job.id) } }
  }
}
