import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// Issue #6: no process outlives a run however it is stopped, a run killed outright
/// leaves a journal a report can be rebuilt from, a full disk is an error that spares the
/// previous run, and concurrent runs share a state directory safely.
@Suite("Reliability")
struct ReliabilityTests {
  /// Runs the README promises to keep in a state directory, the newest one included.
  static let keptRuns = 20

  let directory: TemporaryDirectory

  init() throws {
    directory = try TemporaryDirectory(prefix: "batchrun-reliability")
  }

  var state: URL { directory.url.appendingPathComponent(".batchrun") }
  var runs: URL { state.appendingPathComponent("runs") }

  /// The names in `runs/`, sorted.
  func runNames() -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: runs.path)) ?? []).sorted()
  }

  /// The `job_finished` records of the journal of the first (only) run in `runs/`.
  func finishedInJournal() -> [[String: Any]] {
    guard let name = runNames().first,
      let text = try? String(
        contentsOf: runs.appendingPathComponent(name).appendingPathComponent("events.jsonl"), encoding: .utf8)
    else { return [] }
    return text.split(separator: "\n").compactMap {
      (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any]
    }.filter { $0["event"] as? String == "job_finished" }
  }

  // MARK: - No survivors

  /// How a running job is stopped.
  enum Stop: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case timeout
    case failFast = "--fail-fast"
    case interrupt = "SIGINT"
    case terminate = "SIGTERM"

    var testDescription: String { rawValue }

    /// batchrun's exit code.
    var exitCode: Int32 {
      switch self {
      case .timeout, .failFast: 1
      case .interrupt: 130
      case .terminate: 143
      }
    }
  }

  /// What a job leaves behind. Every process it starts carries the marker in its argv.
  enum Leaver: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case backgroundChild = "background child"
    case termTrap = "TERM trap"
    case setsidDoubleFork = "setsid double fork"
    case clearedEnvironment = "env -i setsid"

    var testDescription: String { rawValue }

    /// The job's shell command; its main process keeps running until it is stopped.
    func command(_ marker: String) -> String {
      switch self {
      case .backgroundChild:
        "sleep \(marker) & wait"
      case .termTrap:
        // Ignored dispositions are inherited: only SIGKILL stops any of these.
        "trap '' TERM; sleep \(marker) & while :; do sleep \(marker); done"
      case .setsidDoubleFork:
        "( setsid sleep \(marker) & ); setsid sh -c 'sleep \(marker) & echo x'; sleep \(marker)"
      case .clearedEnvironment:
        "env -i setsid sleep \(marker) & sleep \(marker)"
      }
    }

    /// `sleep` processes running once the job is set up.
    var sleepers: Int {
      switch self {
      case .backgroundChild: 1
      case .termTrap: 2
      case .setsidDoubleFork: 3
      case .clearedEnvironment: 2
      }
    }

    /// Sessions those sleepers are in: more than one means some escaped the job's.
    var sessions: Int {
      switch self {
      case .backgroundChild, .termTrap: 1
      case .setsidDoubleFork: 3
      case .clearedEnvironment: 2
      }
    }
  }

  @Test(
    "No process a job started survives the run",
    arguments: Stop.allCases, Leaver.allCases)
  func noSurvivors(stop: Stop, leaver: Leaver) async throws {
    try await Self.matrixPlaces.withPlace { try await checkNoSurvivors(stop: stop, leaver: leaver) }
  }

  /// Four cases of the matrix at a time: all sixteen at once starve a two-core machine.
  static let matrixPlaces = AsyncSemaphore(limit: 4)

  func checkNoSurvivors(stop: Stop, leaver: Leaver) async throws {
    let marker = ProcessTable.uniqueSleepArgument()
    defer { ProcessTable.kill(ProcessTable.processes(containing: marker)) }
    var manifest = "jobs:\n  leaver:\n    run: |\n      \(leaver.command(marker))\n"
    // Long enough for the test to see the processes on a busy machine.
    if stop == .timeout { manifest += "    timeout: 60s\n" }
    if stop == .failFast {
      // Fails once the test has seen the leaver's processes (or after 30 s).
      manifest += """
          failer:
            run: 'i=0; while [ ! -e go ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i+1)); done; exit 1'

        """
    }
    let manifestPath = try directory.write("m.yaml", manifest)
    var arguments = ["-j", "2", "--kill-grace", "300ms", manifestPath]
    if stop == .failFast { arguments.insert("--fail-fast", at: 0) }
    let run = BackgroundBatchrun(arguments, in: directory.url, unique: manifestPath, timeout: .seconds(180))
    defer { run.task.cancel() }

    // The test means something only if the job really left its processes where it meant to.
    let ready = await pollUntil(within: .seconds(60)) { () -> [ProcessSnapshot]? in
      let sleepers = ProcessSnapshot.sleepers(carrying: marker)
      return sleepers.count == leaver.sleepers ? sleepers : nil
    }
    let sleepers = ready ?? []
    #expect(sleepers.count == leaver.sleepers, "the job did not set up its processes")
    #expect(Set(sleepers.map(\.session)).count == leaver.sessions, "sessions of \(sleepers.map(\.arguments))")
    if leaver == .clearedEnvironment {
      #expect(
        sleepers.contains { !$0.environment.contains { $0.hasPrefix("BATCHRUN_RUN_ID=") } },
        "one sleeper has no BATCHRUN_RUN_ID")
    }

    switch stop {
    case .timeout: break
    case .failFast: try directory.write("go", "")
    case .interrupt, .terminate:
      let pid = try #require(try await run.pid(), "batchrun was not seen running")
      // SIGINT as a terminal's Ctrl-C sends it: to the whole foreground group.
      kill(stop == .interrupt ? -pid : pid, stop == .interrupt ? SIGINT : SIGTERM)
    }
    let result = try await run.task.value
    #expect(!result.timedOut, "\(result)")
    #expect(result.exitCode == stop.exitCode, "\(result)")

    let survivors = await ProcessTable.survivors(of: marker)
    #expect(survivors.isEmpty, "survivors: \(survivors)")

    let files = try await RunFiles(latestIn: state)
    switch stop {
    case .timeout:
      #expect(try files.jobStatus("leaver") == "timed_out")
    case .failFast:
      #expect(try files.jobStatus("failer") == "failed")
      #expect(try files.jobStatus("leaver") == "cancelled")
      #expect(try files.job("leaver")["reason"] as? String == "stopped by --fail-fast after 'failer' failed")
    case .interrupt, .terminate:
      #expect(files.status == "cancelled")
      #expect(try files.jobStatus("leaver") == "cancelled")
      #expect(try files.job("leaver")["reason"] as? String == "interrupted by \(stop.rawValue)")
    }
  }

  @Test("Escaped processes that end by themselves are reaped while the run goes on")
  func escapedProcessesAreReapedDuringTheRun() async throws {
    // `escaper` leaves five setsid'd processes, re-parented to batchrun (the subreaper),
    // and ends only once they have all exited (each is a zombie, or reaped): so the
    // job's own clean-up cannot find them alive. `later` keeps the run going until the
    // test says so.
    try directory.write(
      "escaper.sh",
      #"""
      for i in 1 2 3 4 5; do
        ( setsid sh -c 'echo $$ >> escaped.pids; sleep 0.2; cut -d" " -f4 /proc/$$/stat >> escaped.ppids' & )
      done
      n=0
      while [ $n -lt 600 ]; do
        alive=0
        for p in $(cat escaped.pids 2>/dev/null); do
          state=$(sed 's/.*) //' /proc/$p/stat 2>/dev/null | cut -c1)
          if [ -n "$state" ] && [ "$state" != Z ]; then alive=1; fi
        done
        if [ "$(cat escaped.pids 2>/dev/null | wc -l)" -eq 5 ] && [ $alive -eq 0 ]; then break; fi
        sleep 0.05
        n=$((n+1))
      done
      echo done

      """#)
    let manifestPath = try directory.write(
      "m.yaml",
      """
      jobs:
        escaper: {run: sh escaper.sh}
        later:
          needs: escaper
          run: 'i=0; while [ ! -e go ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i+1)); done'

      """)
    let run = BackgroundBatchrun(
      ["--kill-grace", "300ms", manifestPath], in: directory.url, unique: manifestPath)
    defer {
      _ = try? directory.write("go", "")
      run.task.cancel()
    }
    let pid = try #require(try await run.pid(), "batchrun was not seen running")
    let escaperDone = await pollUntil(within: .seconds(30)) { () -> Bool? in
      finishedInJournal().contains { $0["id"] as? String == "escaper" } ? true : nil
    }
    try #require(escaperDone == true, "escaper did not finish")
    let escaped = try String(
      contentsOf: directory.url.appendingPathComponent("escaped.pids"), encoding: .utf8)
    try #require(escaped.split(separator: "\n").count == 5, "escaped: \(escaped)")
    // They were batchrun's to reap: re-parented to it, not to init.
    let parents = try String(
      contentsOf: directory.url.appendingPathComponent("escaped.ppids"), encoding: .utf8)
    #expect(
      parents.split(separator: "\n") == Array(repeating: Substring("\(pid)"), count: 5), "parents: \(parents)"
    )

    // Not a timing check: any reaping at all within seconds will do.
    let reaped = await pollUntil(within: .seconds(3)) { () -> Bool? in
      ProcessSnapshot.all().contains { $0.parent == pid && $0.state == "Z" } ? nil : true
    }
    let zombies = ProcessSnapshot.all().filter { $0.parent == pid && $0.state == "Z" }
    #expect(reaped == true, "zombies of batchrun: \(zombies.map { "\($0.pid) \($0.command)" })")

    try directory.write("go", "")
    let result = try await run.task.value
    #expect(result.exitCode == 0, "\(result)")
  }

  // MARK: - Killed outright

  @Test("A batchrun killed with SIGKILL leaves a journal that `report` rebuilds")
  func sigkillLeavesAJournalThatReportRebuilds() async throws {
    let marker = ProcessTable.uniqueSleepArgument()
    // Nobody cleans up after a SIGKILLed batchrun (a documented limit): the test does.
    defer { ProcessTable.kill(ProcessTable.processes(containing: marker)) }
    try directory.write(
      "m.yaml",
      """
      jobs:
        quick: {run: 'echo quick'}
        broken: {run: 'echo broken; exit 3'}
        needs-broken: {run: 'true', needs: broken}
        slow: {argv: [sh, -c, 'echo $PPID > batchrun.pid; exec sleep \(marker)']}
        after-slow: {run: 'true', needs: slow}
        stubborn: {run: "trap '' TERM; sleep \(marker) & wait"}

      """)
    let run = Task {
      try await BatchrunProcess.batchrun(["-k", "-j", "4", "m.yaml"], in: directory.url)
    }
    defer { run.cancel() }

    // Wait for the three jobs that end quickly to be in the journal, and for `slow` to
    // say who batchrun is.
    let finished = ["quick", "broken", "needs-broken"]
    let pidFile = directory.url.appendingPathComponent("batchrun.pid")
    let batchrunPID = await pollUntil(within: .seconds(60)) { () -> Int32? in
      guard finishedInJournal().count >= finished.count,
        let text = try? String(contentsOf: pidFile, encoding: .utf8),
        let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
      else { return nil }
      return pid
    }
    let pid = try #require(batchrunPID, "the quick jobs did not finish, or slow did not start")
    let binary = try BatchrunProcess.batchrunURL.path
    let killed = try #require(ProcessSnapshot(pid: pid), "batchrun \(pid) is gone")
    try #require(killed.arguments.hasPrefix(binary), "pid \(pid) is not batchrun: \(killed.arguments)")
    #expect(kill(pid, SIGKILL) == 0)
    let result = try await run.value
    #expect(result.signal == SIGKILL, "\(result)")

    let names = runNames()
    try #require(names.count == 1, "runs: \(names)")
    let runDirectory = runs.appendingPathComponent(names[0])
    #expect(!FileManager.default.fileExists(atPath: runDirectory.appendingPathComponent("report.json").path))

    // The journal names every job that had finished, and only those.
    let events = finishedInJournal()
    #expect(Set(events.compactMap { $0["id"] as? String }) == Set(finished))
    #expect(events.count == finished.count)

    let rebuilt = try await BatchrunProcess.batchrun(
      ["report", runDirectory.path, "--format", "json"], in: directory.url)
    #expect(rebuilt.exitCode == 0, "\(rebuilt)")
    let errors = try await SchemaValidator().errors(in: rebuilt.stdout)
    #expect(errors.filter { !$0.hasPrefix("$.exit_code:") }.isEmpty, "\(errors)")
    #expect(errors.isEmpty, "the rebuilt report does not match the schema: \(errors)")
    let report = try #require(
      try JSONSerialization.jsonObject(with: Data(rebuilt.stdout.utf8)) as? [String: Any])
    #expect(report["status"] as? String == "incomplete")
    #expect(report["run_id"] as? String == names[0])
    let jobs = report["jobs"] as? [[String: Any]] ?? []
    func job(_ id: String) -> [String: Any] { jobs.first { $0["id"] as? String == id } ?? [:] }
    #expect(
      jobs.compactMap { $0["id"] as? String } == [
        "quick", "broken", "needs-broken", "slow", "after-slow", "stubborn",
      ])
    #expect(job("quick")["status"] as? String == "succeeded")
    #expect(job("quick")["exit_code"] as? Int == 0)
    #expect(job("broken")["status"] as? String == "failed")
    #expect(job("broken")["exit_code"] as? Int == 3)
    #expect(job("needs-broken")["status"] as? String == "skipped")
    #expect(job("needs-broken")["reason"] as? String == "need 'broken' failed")
    for id in ["slow", "after-slow", "stubborn"] {
      #expect(job(id)["status"] as? String == "cancelled", "\(id)")
      #expect((job(id)["reason"] as? String)?.hasPrefix("not finished") == true, "\(id): \(job(id))")
    }
    let summary = report["summary"] as? [String: Any] ?? [:]
    #expect(summary["total"] as? Int == 6)
    #expect(summary["succeeded"] as? Int == 1)
    #expect(summary["failed"] as? Int == 1)
    #expect(summary["skipped"] as? Int == 1)
    #expect(summary["cancelled"] as? Int == 3)

    // The text form reads the same journal.
    let text = try await BatchrunProcess.batchrun(["report", runDirectory.path], in: directory.url)
    #expect(text.exitCode == 0, "\(text)")
    #expect(text.stdout.contains("incomplete"), "\(text)")
  }

  // MARK: - Disk full

  @Test(
    "A full disk fails the run with exit 70 and leaves the previous report and latest alone",
    .enabled(if: Tmpfs.canMount, "mounting a tmpfs needs root"))
  func diskFull() async throws {
    let mountPoint = directory.url.appendingPathComponent("state")
    try FileManager.default.createDirectory(at: mountPoint, withIntermediateDirectories: true)
    let tmpfs = try Tmpfs(at: mountPoint.path, size: "256k")
    defer { tmpfs.unmount() }

    let first = try directory.write("first.yaml", "jobs:\n  first: {run: echo first}\n")
    let firstRun = try await BatchrunProcess.batchrun(["--state-dir", tmpfs.path, first], in: directory.url)
    #expect(firstRun.exitCode == 0, "\(firstRun)")
    let previous = try await RunFiles(latestIn: mountPoint)
    #expect(previous.status == "succeeded")
    let previousReport = try Data(contentsOf: previous.directory.appendingPathComponent("report.json"))
    let latest = mountPoint.appendingPathComponent("latest").path
    let previousLink = try FileManager.default.destinationOfSymbolicLink(atPath: latest)

    try tmpfs.fill()
    #expect(tmpfs.available == 0)

    let second = try directory.write("second.yaml", "jobs:\n  chatty: {run: 'seq 1 100000'}\n")
    let result = try await BatchrunProcess.batchrun(["--state-dir", tmpfs.path, second], in: directory.url)
    #expect(result.exitCode == 70, "\(result)")
    let names = ((try? FileManager.default.contentsOfDirectory(atPath: tmpfs.path + "/runs")) ?? []).sorted()
    let newRun = try #require(names.first { $0 != previous.report["run_id"] as? String }, "runs: \(names)")
    let newReport = tmpfs.path + "/runs/" + newRun + "/report.json"
    #expect(result.stderr.contains("batchrun: error: "), "\(result)")
    #expect(result.stderr.contains(newReport), "the error names the report: \(result)")
    #expect(!FileManager.default.fileExists(atPath: newReport))
    let leftovers =
      ((try? FileManager.default.contentsOfDirectory(atPath: tmpfs.path + "/runs/" + newRun)) ?? [])
      .filter { $0.contains(".tmp") }
    #expect(leftovers.isEmpty, "temporary files left: \(leftovers)")

    #expect(try FileManager.default.destinationOfSymbolicLink(atPath: latest) == previousLink)
    #expect(try Data(contentsOf: previous.directory.appendingPathComponent("report.json")) == previousReport)
    #expect(
      try await RunFiles(latestIn: mountPoint).report["run_id"] as? String == previous.report["run_id"]
        as? String)
  }

  // MARK: - Concurrent runs

  @Test("Concurrent runs of one manifest into one state directory each get a whole run")
  func concurrentRuns() async throws {
    try directory.write(
      "m.yaml",
      """
      jobs:
        a: {run: 'echo a'}
        b: {run: 'echo b', needs: a}
        c: {run: 'echo c'}

      """)
    let count = 4
    let results = try await withThrowingTaskGroup(of: BatchrunProcess.Result.self) { group in
      for _ in 0..<count {
        group.addTask {
          try await BatchrunProcess.batchrun(["--output", "quiet", "m.yaml"], in: directory.url)
        }
      }
      return try await group.reduce(into: []) { $0.append($1) }
    }
    for result in results { #expect(result.exitCode == 0, "\(result)") }

    let reportPaths = results.compactMap { $0.stdoutLines.last?.split(separator: " ", maxSplits: 1).last }
      .map(String.init)
    #expect(Set(reportPaths).count == count, "report paths: \(reportPaths)")
    let names = runNames()
    #expect(names.count == count, "runs: \(names)")
    var ids: [String] = []
    for name in names {
      let files = try await RunFiles(directory: runs.appendingPathComponent(name))
      #expect(files.status == "succeeded")
      #expect(files.jobIDs == ["a", "b", "c"])
      #expect(files.report["run_id"] as? String == name)
      #expect(try files.events().count == 4, "run_started and three jobs")
      ids.append(files.report["run_id"] as? String ?? "")
    }
    #expect(Set(ids).count == count)
    #expect(
      Set(reportPaths)
        == Set(names.map { runs.appendingPathComponent($0).appendingPathComponent("report.json").path }))
    let latest = try FileManager.default.destinationOfSymbolicLink(
      atPath: state.appendingPathComponent("latest").path)
    #expect(names.map { "runs/" + $0 }.contains(latest), "latest -> \(latest)")
    // No temporary link, report or durations file is left behind.
    #expect(
      try FileManager.default.contentsOfDirectory(atPath: state.path).sorted() == ["cache", "latest", "runs"])
    #expect(
      try FileManager.default.contentsOfDirectory(atPath: state.appendingPathComponent("cache").path)
        == ["durations.json"])
  }

  @Test("Run ids sort by start time, so that pruning keeps the newest runs")
  func runIDsSortByStartTime() async throws {
    try directory.write("m.yaml", "jobs:\n  one: {run: 'true'}\n")
    var started: [(id: String, at: String)] = []
    // Enough runs, one after the other, for several to start within the same second.
    let count = 12
    for _ in 0..<count {
      let result = try await BatchrunProcess.batchrun(["--output", "quiet", "m.yaml"], in: directory.url)
      #expect(result.exitCode == 0, "\(result)")
      let files = try await RunFiles(latestIn: state)
      started.append((files.report["run_id"] as? String ?? "", files.report["started_at"] as? String ?? ""))
    }
    #expect(Set(started.map(\.id)).count == count)
    #expect(started.map(\.at) == started.map(\.at).sorted(), "runs started one after the other")
    // The id is the start time to the millisecond and a random suffix, so ids sort in
    // start order (pruning relies on it).
    #expect(
      started.map(\.id) == started.map(\.id).sorted(),
      "ids in start order: \(started.map { "\($0.at) \($0.id)" })")
  }

  @Test("Pruning never removes a run that is still going")
  func pruningSparesARunningRun() async throws {
    // 25 old runs, long finished.
    let fakes = (1...25).map { "20200101T000000Z-" + String(format: "%08x", $0) }
    for fake in fakes { try directory.write(".batchrun/runs/\(fake)/dummy", "old\n") }
    let manifestPath = try directory.write(
      "m.yaml",
      """
      jobs:
        hold:
          run: 'touch held; i=0; while [ ! -e release ] && [ $i -lt 1200 ]; do sleep 0.05; i=$((i+1)); done'
        quick: {run: 'true'}

      """)
    let long = BackgroundBatchrun(
      ["--output", "quiet", manifestPath, "hold"], in: directory.url, unique: manifestPath)
    defer {
      _ = try? directory.write("release", "")
      long.task.cancel()
    }
    let held = await pollUntil(within: .seconds(60)) {
      FileManager.default.fileExists(atPath: directory.url.appendingPathComponent("held").path) ? true : nil
    }
    try #require(held == true, "the long run's job did not start")
    let longRun = try #require(runNames().first { !fakes.contains($0) })
    let longDirectory = runs.appendingPathComponent(longRun)
    // Run ids sort by time only to the second (see `runIDsSortByStartTime`): start the
    // short runs in a later second, so that the long run is older than all of them.
    try await Task.sleep(for: .milliseconds(1100))

    // 21 short runs: once 20 runs are newer than the long one, the long one is among the
    // oldest and only its lock keeps it. Three at a time.
    for _ in 0..<7 {
      let results = try await withThrowingTaskGroup(of: BatchrunProcess.Result.self) { group in
        for _ in 0..<3 {
          group.addTask {
            try await BatchrunProcess.batchrun(["--output", "quiet", "m.yaml", "quick"], in: directory.url)
          }
        }
        return try await group.reduce(into: []) { $0.append($1) }
      }
      for result in results { #expect(result.exitCode == 0, "\(result)") }
      #expect(
        FileManager.default.fileExists(atPath: longDirectory.appendingPathComponent("events.jsonl").path),
        "the running run was pruned")
    }
    let whileRunning = runNames()
    #expect(whileRunning.contains(longRun))
    #expect(
      whileRunning.filter(fakes.contains).isEmpty, "old runs left: \(whileRunning.filter(fakes.contains))")
    #expect(whileRunning.count == Self.keptRuns + 1, "20 newest and the running one: \(whileRunning)")

    try directory.write("release", "")
    let result = try await long.task.value
    #expect(result.exitCode == 0, "\(result)")
    let files = try await RunFiles(directory: longDirectory)
    #expect(files.status == "succeeded")
    #expect(files.report["run_id"] as? String == longRun)
    #expect(try await RunFiles(latestIn: state).report["run_id"] as? String == longRun)

    let afterAll = runNames()
    #expect(afterAll.contains(longRun))
    #expect(afterAll.count <= Self.keptRuns, "\(afterAll.count) runs remain")
  }
}
