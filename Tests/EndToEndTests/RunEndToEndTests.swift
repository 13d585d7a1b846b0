import Foundation
import Testing

/// `batchrun run` with real processes: statuses, policies, order, environment, files.
@Suite("Running jobs")
struct RunEndToEndTests {
  let directory: TemporaryDirectory

  init() throws {
    directory = try TemporaryDirectory(prefix: "batchrun-run")
  }

  var state: URL { directory.url.appendingPathComponent(".batchrun") }

  /// Writes `manifest` as `m.yaml` and runs `batchrun` on it with `arguments` first.
  func run(
    _ manifest: String, _ arguments: [String] = [], environment: [String: String] = [:],
    signals: [BatchrunProcess.ScheduledSignal] = []
  ) async throws -> BatchrunProcess.Result {
    try directory.write("m.yaml", manifest)
    return try await BatchrunProcess.batchrun(
      arguments + ["m.yaml"], in: directory.url, environment: environment, signals: signals)
  }

  @Test func successfulRunExitsZeroAndWritesReportLogsAndJournal() async throws {
    let result = try await run(
      """
      jobs:
        hello: {run: echo hello from $BATCHRUN_JOB_ID}
        world: {run: echo world, needs: hello}
      """)
    #expect(result.exitCode == 0, "\(result)")
    let files = try await RunFiles(latestIn: state)
    #expect(files.status == "succeeded")
    #expect(files.exitCode == 0)
    #expect(files.jobIDs == ["hello", "world"])
    #expect(try files.log("logs/hello.log") == "hello from hello\n")
    #expect(try files.job("hello")["output_bytes"] as? Int == 17)
    let events = try files.events()
    #expect(events.first?["event"] as? String == "run_started")
    #expect(events.dropFirst().map { $0["id"] as? String } == ["hello", "world"])
    #expect(events.dropFirst().allSatisfy { $0["event"] as? String == "job_finished" })
    #expect(result.stdout.contains("ok hello"))
    let reportLine = try #require(result.stdoutLines.last)
    #expect(reportLine == "report: " + files.directory.appendingPathComponent("report.json").path)
  }

  @Test func failureExitsOneShowsTheLogTailAndSkipsDependents() async throws {
    let result = try await run(
      """
      jobs:
        broken: {run: 'for i in $(seq 1 30); do echo line $i; done; exit 3'}
        after: {run: 'true', needs: broken}
      """)
    #expect(result.exitCode == 1, "\(result)")
    #expect(result.stdout.contains("FAIL broken exit 3"))
    #expect(result.stdout.contains("| line 30"))
    #expect(result.stdout.contains("| line 11"))
    #expect(!result.stdout.contains("| line 10\n"), "only the last 20 lines")
    let files = try await RunFiles(latestIn: state)
    #expect(files.status == "failed")
    #expect(try files.job("broken")["exit_code"] as? Int == 3)
    #expect(try files.jobStatus("after") == "skipped")
    #expect(try files.job("after")["reason"] as? String == "need 'broken' failed")
  }

  @Test func retriesRerunAFailingJobWithNumberedAttemptsAndLogs() async throws {
    let result = try await run(
      """
      jobs:
        flaky:
          run: 'echo attempt $BATCHRUN_ATTEMPT; test $BATCHRUN_ATTEMPT -ge 3'
          retries: 4
          retry-delay: 50ms
      """)
    #expect(result.exitCode == 0, "\(result)")
    let files = try await RunFiles(latestIn: state)
    let attempts = try files.attempts("flaky")
    #expect(attempts.map { $0["attempt"] as? Int } == [1, 2, 3])
    #expect(attempts.map { $0["status"] as? String } == ["failed", "failed", "succeeded"])
    #expect(try files.log("logs/flaky.log") == "attempt 1\n")
    #expect(try files.log("logs/flaky.attempt-3.log") == "attempt 3\n")
    #expect(try files.job("flaky")["log"] as? String == "logs/flaky.attempt-3.log")
  }

  @Test func whenAndAllowFailureDecideWhatRuns() async throws {
    let result = try await run(
      """
      jobs:
        lint: {run: 'exit 1', allow-failure: true}
        build: {run: 'true', needs: lint}
        test: {run: 'exit 2', needs: build}
        notify: {run: 'echo notified', needs: test, when: on-failure}
        cleanup: {run: 'echo cleaned', needs: [test, notify], when: always}
        celebrate: {run: 'true', needs: build, when: on-failure}
      """, ["-j", "1"])
    #expect(result.exitCode == 1, "\(result)")
    let files = try await RunFiles(latestIn: state)
    #expect(try files.jobStatus("lint") == "failed")
    #expect(try files.job("lint")["allow_failure"] as? Bool == true)
    #expect(try files.jobStatus("build") == "succeeded", "an allow-failure need counts as succeeded")
    #expect(try files.jobStatus("test") == "failed")
    #expect(try files.jobStatus("notify") == "succeeded")
    #expect(try files.jobStatus("cleanup") == "succeeded")
    #expect(try files.jobStatus("celebrate") == "skipped")
  }

  @Test func onlyAllowedFailuresExitZero() async throws {
    let result = try await run("jobs:\n  lint: {run: 'exit 1', allow-failure: true}\n")
    #expect(result.exitCode == 0, "\(result)")
    #expect(try await RunFiles(latestIn: state).status == "succeeded")
  }

  /// `fail` is first in the queue (longest path); `other` is independent.
  static let policyManifest = """
    jobs:
      fail: {run: 'exit 1'}
      fail-child: {run: 'true', needs: fail}
      other: {run: 'true'}
      cleanup: {run: 'true', needs: other, when: always}
    """

  @Test func defaultPolicyStartsNothingNewButAlwaysJobs() async throws {
    let result = try await run(Self.policyManifest, ["-j", "1"])
    #expect(result.exitCode == 1)
    let files = try await RunFiles(latestIn: state)
    #expect(try files.jobStatus("other") == "skipped")
    #expect(try files.job("other")["reason"] as? String == "not started: the run stopped after a failure")
    #expect(try files.jobStatus("cleanup") == "succeeded")
  }

  @Test func keepGoingRunsEverythingThatDoesNotNeedAFailure() async throws {
    let result = try await run(Self.policyManifest, ["-j", "1", "--keep-going"])
    #expect(result.exitCode == 1)
    let files = try await RunFiles(latestIn: state)
    #expect(try files.jobStatus("other") == "succeeded")
    #expect(try files.jobStatus("fail-child") == "skipped")
    #expect(try files.jobStatus("cleanup") == "succeeded")
  }

  @Test func failFastStopsRunningJobs() async throws {
    let marker = ProcessTable.uniqueSleepArgument()
    let result = try await run(
      """
      jobs:
        slow: {run: 'sleep \(marker)'}
        fail: {run: 'sleep 0.3; exit 1'}
      """, ["-j", "2", "--fail-fast", "--kill-grace", "1s"])
    #expect(result.exitCode == 1, "\(result)")
    let files = try await RunFiles(latestIn: state)
    #expect(try files.jobStatus("slow") == "cancelled")
    #expect(try files.job("slow")["reason"] as? String == "stopped by --fail-fast after 'fail' failed")
    #expect(try files.job("slow")["signal"] as? String == "SIGTERM")
    #expect(await ProcessTable.survivors(of: marker).isEmpty)
  }

  @Test func neverRunsMoreThanTheConcurrencyLimit() async throws {
    let jobs = (1...12).map {
      "  j\($0): {run: 'echo start $(date +%s%N) >> ../times; sleep 0.1; echo end $(date +%s%N) >> ../times'}"
    }
    try FileManager.default.createDirectory(
      at: directory.url.appendingPathComponent("work"), withIntermediateDirectories: true)
    let manifest = "defaults: {cwd: work}\njobs:\n" + jobs.joined(separator: "\n") + "\n"
    let result = try await run(manifest, ["-j", "3"])
    #expect(result.exitCode == 0, "\(result)")
    let times = try String(contentsOf: directory.url.appendingPathComponent("times"), encoding: .utf8)
    var events = times.split(separator: "\n").map { line -> (Int, Int) in
      let parts = line.split(separator: " ")
      return (Int(parts[1])!, parts[0] == "start" ? 1 : -1)
    }
    events.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
    var running = 0
    var most = 0
    for event in events {
      running += event.1
      most = max(most, running)
    }
    #expect(events.count == 24)
    #expect(most <= 3)
    #expect(most >= 2, "jobs should overlap at -j 3")
  }

  @Test func jobsStartAfterTheirNeedsAndCriticalPathFirst() async throws {
    // At -j 1 the start order is fixed: longest remaining path first, ties in manifest order.
    let result = try await run(
      """
      jobs:
        short: {run: 'echo short >> order'}
        a1: {run: 'sleep 0.1; echo a1 >> order; touch a1.done'}
        a2: {run: 'test -e a1.done && echo a2 >> order', needs: a1}
        a3: {run: 'echo a3 >> order', needs: a2}
        b1: {run: 'echo b1 >> order'}
        b2: {run: 'echo b2 >> order', needs: b1}
      """, ["-j", "1"])
    #expect(result.exitCode == 0, "\(result)")
    let order = try String(contentsOf: directory.url.appendingPathComponent("order"), encoding: .utf8)
    // a1 (path 3); a2 before b1 (both 2, manifest order); b1; then short, a3, b2 (all 1).
    #expect(order.split(separator: "\n") == ["a1", "a2", "b1", "short", "a3", "b2"])
  }

  @Test func environmentIsLayeredAndCarriesRunVariables() async throws {
    let result = try await run(
      """
      env: {FROM_MANIFEST: manifest, OVERRIDDEN: manifest, NUMBER: 1.50}
      jobs:
        show:
          env: {OVERRIDDEN: job, BATCHRUN_JOB_ID: not-this}
          run: 'echo "$FROM_OUTSIDE $FROM_MANIFEST $OVERRIDDEN $NUMBER $BATCHRUN_JOB_ID $BATCHRUN_ATTEMPT"; echo "$BATCHRUN_RUN_ID"; echo "$BATCHRUN_RUN_DIR"'
        raw: {argv: [env], env: {BATCHRUN_JOB_ID: not-this}}
      """, environment: ["FROM_OUTSIDE": "outside", "OVERRIDDEN": "outside", "BATCHRUN_ATTEMPT": "9"])
    #expect(result.exitCode == 0, "\(result)")
    let files = try await RunFiles(latestIn: state)
    let lines = try files.log("logs/show.log").split(separator: "\n").map(String.init)
    #expect(lines.first == "outside manifest job 1.50 show 1")
    #expect(lines.dropFirst().first == files.report["run_id"] as? String)
    #expect(lines.last == files.directory.path, "BATCHRUN_RUN_DIR is absolute")
    // Without a shell to tidy the environment, a job's own BATCHRUN_JOB_ID must not get
    // through beside batchrun's.
    let raw = try files.log("logs/raw.log").split(separator: "\n").filter { $0.hasPrefix("BATCHRUN_") }
    #expect(raw.filter { $0.hasPrefix("BATCHRUN_JOB_ID=") } == ["BATCHRUN_JOB_ID=raw"])
    #expect(raw.filter { $0.hasPrefix("BATCHRUN_ATTEMPT=") } == ["BATCHRUN_ATTEMPT=1"])
    let report = try String(
      contentsOf: files.directory.appendingPathComponent("report.json"), encoding: .utf8)
    #expect(!report.contains("outside"), "environment values are not written")
  }

  /// A job that catches SIGTERM and exits 0 has not done its work: stopped for its
  /// timeout it is `timed_out`, stopped by a signal to batchrun `cancelled`.
  @Test(arguments: ["timeout", "signal"])
  func aStoppedJobThatExitsZeroIsStillStopped(by stop: String) async throws {
    // For the signal, the job itself sends batchrun (its parent) a SIGINT once it runs.
    let interrupt = stop == "signal" ? "kill -INT $PPID; " : ""
    let timeout = stop == "timeout" ? ", timeout: 1s" : ""
    let result = try await run(
      """
      jobs:
        polite: {run: 'trap "echo caught; exit 0" TERM; echo started; \(interrupt)sleep 30 & wait'\(timeout)}
      """, ["--kill-grace", "5s"])
    #expect(result.exitCode == (stop == "timeout" ? 1 : 130), "\(result)")
    let files = try await RunFiles(latestIn: state)
    #expect(try files.jobStatus("polite") == (stop == "timeout" ? "timed_out" : "cancelled"))
    #expect(try files.job("polite")["exit_code"] as? Int == 0)
    #expect(try files.log("logs/polite.log") == "started\ncaught\n")
  }

  @Test func jobsRunInTheirWorkingDirectory() async throws {
    try FileManager.default.createDirectory(
      at: directory.url.appendingPathComponent("sub/dir"), withIntermediateDirectories: true)
    let result = try await run(
      """
      jobs:
        here: {run: pwd}
        there: {run: pwd, cwd: sub/dir}
        missing: {argv: [pwd], cwd: nowhere}
      """, ["-k"])
    #expect(result.exitCode == 1, "\(result)")
    let files = try await RunFiles(latestIn: state)
    let root = directory.url.resolvingSymlinksInPath().path
    #expect(try files.log("logs/here.log") == root + "\n")
    #expect(try files.log("logs/there.log") == root + "/sub/dir\n")
    #expect(try files.jobStatus("missing") == "failed")
    #expect(try files.job("missing")["exit_code"] as? Int == 127)
    let message = try files.log("logs/missing.log")
    #expect(message.contains("does not exist"))
    #expect(try files.job("missing")["output_bytes"] as? Int == message.utf8.count)

    // Started from elsewhere, batchrun still runs jobs in the manifest's directory (it
    // skips the chdir only when its own directory is the job's).
    let elsewhere = try TemporaryDirectory(prefix: "batchrun-elsewhere")
    let again = try await BatchrunProcess.batchrun(
      ["run", directory.url.appendingPathComponent("m.yaml").path, "here", "there"], in: elsewhere.url)
    #expect(again.exitCode == 0, "\(again)")
    let second = try await RunFiles(latestIn: state)
    #expect(second.directory != files.directory)
    #expect(try second.log("logs/here.log") == root + "\n")
    #expect(try second.log("logs/there.log") == root + "/sub/dir\n")
  }

  @Test func namedTargetsRunWithWhatTheyNeedOnly() async throws {
    try directory.write(
      "m.yaml",
      """
      jobs:
        fetch: {run: 'true'}
        build: {run: 'true', needs: fetch}
        docs: {run: 'true'}
        deploy: {run: 'true', needs: build}
      """)
    let result = try await BatchrunProcess.batchrun(["run", "m.yaml", "build"], in: directory.url)
    #expect(result.exitCode == 0, "\(result)")
    #expect(try await RunFiles(latestIn: state).jobIDs == ["fetch", "build"])
  }

  @Test func jobsGetOnlyStandardDescriptorsNullInputAndCleanSignals() async throws {
    // The job records its pid and becomes `sleep`; the test inspects it from outside, so
    // that no pipe or directory handle of the probe itself shows up.
    try directory.write("m.yaml", "jobs:\n  probe: {argv: [sh, -c, 'echo $$ > probe.pid; exec sleep 60']}\n")
    let run = Task { try await BatchrunProcess.batchrun(["m.yaml"], in: directory.url) }
    let pidFile = directory.url.appendingPathComponent("probe.pid")
    var pid: String?
    for _ in 0..<500 where pid == nil {
      try await Task.sleep(for: .milliseconds(20))
      pid = try? String(contentsOf: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
      if pid?.isEmpty == true { pid = nil }
    }
    let probe = try #require(pid, "the job did not start")
    try await Task.sleep(for: .milliseconds(100))  // let `exec sleep` happen
    let fds = try FileManager.default.contentsOfDirectory(atPath: "/proc/\(probe)/fd").sorted()
    #expect(fds == ["0", "1", "2"], "only fds 0-2 reach a job")
    #expect(try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(probe)/fd/0") == "/dev/null")
    let status = try String(contentsOfFile: "/proc/\(probe)/status", encoding: .utf8)
    func mask(_ name: String) -> UInt64? {
      status.split(separator: "\n").first { $0.hasPrefix(name + ":") }
        .flatMap { UInt64($0.dropFirst(name.count + 1).trimmingCharacters(in: .whitespaces), radix: 16) }
    }
    #expect(mask("SigBlk") == 0, "the signal mask is empty")
    // glibc's posix_spawn keeps its two internal signals (32 and 33) ignored.
    #expect(mask("SigIgn").map { $0 & ~UInt64(0x1_8000_0000) } == 0, "no signal is ignored")
    // Done looking: end the probe (a job killed by a signal fails the run).
    _ = kill(pid_t(probe) ?? 0, SIGTERM)
    #expect(try await run.value.exitCode == 1)
    #expect(try await RunFiles(latestIn: state).job("probe")["signal"] as? String == "SIGTERM")
  }

  @Test func timeoutKillsTheWholeTreeEvenWhenTermIsTrapped() async throws {
    let marker = ProcessTable.uniqueSleepArgument()
    let result = try await run(
      """
      jobs:
        polite: {run: 'sleep \(marker) & wait', timeout: 200ms}
        stubborn: {run: 'trap "" TERM; sleep \(marker) & while true; do wait; done', timeout: 200ms}
      """, ["-k", "--kill-grace", "300ms"])
    #expect(result.exitCode == 1, "\(result)")
    let files = try await RunFiles(latestIn: state)
    #expect(try files.jobStatus("polite") == "timed_out")
    #expect(try files.jobStatus("stubborn") == "timed_out")
    #expect(try files.job("stubborn")["signal"] as? String == "SIGKILL")
    #expect(result.elapsed < .seconds(60), "far less than the 300 s the leftovers sleep")
    let survivors = await ProcessTable.survivors(of: marker)
    ProcessTable.kill(survivors)
    #expect(survivors.isEmpty, "survivors: \(survivors)")
  }

  @Test func backgroundChildDoesNotDelayTheJobAndDoesNotSurvive() async throws {
    let marker = ProcessTable.uniqueSleepArgument()
    let result = try await run(
      "jobs:\n  leaver: {run: 'sleep \(marker) & echo left'}\n", ["--kill-grace", "1s"])
    #expect(result.exitCode == 0, "\(result)")
    #expect(result.elapsed < .seconds(60), "far less than the 300 s the leftovers sleep")
    let files = try await RunFiles(latestIn: state)
    #expect(try files.jobStatus("leaver") == "succeeded")
    #expect((try files.job("leaver")["duration_seconds"] as? Double ?? 999) < 60)
    let survivors = await ProcessTable.survivors(of: marker, within: .milliseconds(200))
    ProcessTable.kill(survivors)
    #expect(survivors.isEmpty, "survivors: \(survivors)")
  }

  @Test(arguments: [(SIGINT, Int32(130)), (SIGTERM, 143), (SIGHUP, 129)] as [(Int32, Int32)])
  func signalStopsEveryJobWritesTheReportAndExits(signal: Int32, code: Int32) async throws {
    let marker = ProcessTable.uniqueSleepArgument()
    let result = try await run(
      """
      jobs:
        sleeper: {run: 'sleep \(marker)'}
        stubborn: {run: 'trap "" TERM; sleep \(marker) & while true; do wait; done'}
        later: {run: 'true', needs: sleeper}
      """, ["-j", "2", "--kill-grace", "300ms"], signals: [.init(signal, after: .milliseconds(700))])
    #expect(result.exitCode == code, "\(result)")
    let files = try await RunFiles(latestIn: state)
    #expect(files.status == "cancelled")
    #expect(files.exitCode == Int(code))
    #expect(try files.jobStatus("sleeper") == "cancelled")
    #expect(try files.jobStatus("stubborn") == "cancelled")
    #expect(try files.jobStatus("later") == "cancelled")
    #expect((try files.job("sleeper")["reason"] as? String)?.hasPrefix("interrupted by SIG") == true)
    let survivors = await ProcessTable.survivors(of: marker)
    ProcessTable.kill(survivors)
    #expect(survivors.isEmpty, "survivors: \(survivors)")
  }

  @Test func reportCopyLatestLinkAndPruning() async throws {
    try directory.write("m.yaml", "jobs:\n  one: {run: 'true'}\n")
    var last = ""
    for _ in 1...22 {
      let result = try await BatchrunProcess.batchrun(
        ["--output", "quiet", "--report", "copy.json", "m.yaml"], in: directory.url)
      #expect(result.exitCode == 0, "\(result)")
      last = try await RunFiles(latestIn: state).report["run_id"] as? String ?? ""
    }
    let runs = try FileManager.default.contentsOfDirectory(atPath: state.appendingPathComponent("runs").path)
    #expect(runs.count == 20)
    #expect(runs.contains(last))
    let copy = try Data(contentsOf: directory.url.appendingPathComponent("copy.json"))
    try await RunFiles.expectValid(copy)
    let copied = try JSONSerialization.jsonObject(with: copy) as? [String: Any]
    #expect(copied?["run_id"] as? String == last)
  }

  @Test func quietOutputShowsFailuresAndTheSummaryOnly() async throws {
    let result = try await run(
      "jobs:\n  good: {run: 'true'}\n  bad: {run: 'echo oops; exit 4'}\n", ["--output", "quiet", "-k"])
    #expect(result.exitCode == 1)
    #expect(!result.stdout.contains("good"))
    #expect(result.stdout.contains("FAIL bad exit 4"))
    #expect(result.stdout.contains("| oops"))
    #expect(result.stdout.contains("failed: 2 jobs, 1 succeeded, 1 failed"))
  }

  @Test("-j2 is -j 2, as make and ninja users type it")
  func attachedJobsValue() async throws {
    let result = try await run("jobs:\n  one: {run: 'true'}\n", ["-j2"])
    #expect(result.exitCode == 0, "\(result)")
    #expect(try await RunFiles(latestIn: state).report["concurrency"] as? Int == 2)
  }

  @Test("BATCHRUN_RUN_DIR is absolute when --state-dir is relative and jobs run elsewhere")
  func runDirectoryIsAbsolute() async throws {
    try directory.write(
      "project/m.yaml",
      "jobs:\n  where: {run: 'echo \"$BATCHRUN_RUN_DIR\"; test -d \"$BATCHRUN_RUN_DIR/logs\"'}\n")
    let result = try await BatchrunProcess.batchrun(
      ["--state-dir", "relative-state", "project/m.yaml"], in: directory.url)
    #expect(result.exitCode == 0, "\(result)")
    let files = try await RunFiles(latestIn: directory.url.appendingPathComponent("relative-state"))
    let shown = try files.log("logs/where.log").trimmingCharacters(in: .newlines)
    #expect(shown.hasPrefix("/"))
    #expect(URL(fileURLWithPath: shown).standardizedFileURL == files.directory.standardizedFileURL)
    #expect(result.stdoutLines.last == "report: \(shown)/report.json")
  }

  @Test("A job that cannot start says why in batchrun's words")
  func startErrorsSayWhatIsWrong() async throws {
    try directory.write("not-executable.sh", "#!/bin/sh\necho never\n")
    try directory.write("a-file", "")
    let result = try await run(
      """
      jobs:
        noexec: {argv: [./not-executable.sh]}
        filecwd: {run: 'true', cwd: a-file}
        missing: {argv: [./no-such-program]}
      """, ["-k"])
    #expect(result.exitCode == 1, "\(result)")
    let files = try await RunFiles(latestIn: state)
    #expect(
      try files.log("logs/noexec.log").contains("./not-executable.sh: permission denied (not executable)"))
    #expect(
      try files.log("logs/filecwd.log").contains(
        "working directory '\(directory.url.path)/a-file' is not a directory"))
    #expect(try files.log("logs/missing.log").contains("./no-such-program: no such file"))
    for job in ["noexec", "filecwd", "missing"] {
      #expect(try files.job(job)["exit_code"] as? Int == 127, "\(job)")
    }
  }
}
