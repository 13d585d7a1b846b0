import Foundation
import Testing

/// `batchrun --executor slurm` against the real single-node cluster of
/// `scripts/slurm-test-cluster`: statuses, logs, stops that leave nothing behind, an
/// unreachable controller, and a large fan-out under `-j`. Filter with `--filter Slurm`.
@Suite(
  "Slurm executor", .serialized,
  .enabled(if: SlurmTestCluster.isAvailable, "no Slurm test cluster: \(SlurmTestCluster.unavailableReason)"))
struct SlurmEndToEndTests {
  let directory: TemporaryDirectory

  init() throws {
    directory = try TemporaryDirectory(prefix: "batchrun-slurm")
  }

  var state: URL { directory.url.appendingPathComponent(".batchrun") }

  func run(
    _ manifest: String, _ arguments: [String] = [], environment: [String: String] = [:],
    signals: [BatchrunProcess.ScheduledSignal] = [], timeout: Duration = .seconds(120)
  ) async throws -> BatchrunProcess.Result {
    try directory.write("m.yaml", manifest)
    return try await BatchrunProcess.batchrun(
      ["--executor", "slurm", "--output", "stream"] + arguments + ["m.yaml"], in: directory.url,
      environment: SlurmTestCluster.environment.merging(environment) { _, new in new }, signals: signals,
      timeout: timeout)
  }

  static func date(_ value: Any?) throws -> Date {
    let text = try #require(value as? String)
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    return try #require(formatter.date(from: text) ?? ISO8601DateFormatter().date(from: text), "\(text)")
  }

  @Test func statusesExitCodesRetriesAndOrder() async throws {
    let result = try await run(
      """
      jobs:
        ok: {run: 'echo "job $SLURM_JOB_ID on $(hostname -s)"'}
        three: {run: exit 3}
        slow: {run: sleep 60, timeout: 3s}
        skipped: {run: 'true', needs: three}
        flaky: {run: 'test "$BATCHRUN_ATTEMPT" = 2', retries: 1}
        after: {run: 'true', needs: ok}
      """, ["-k", "--kill-grace", "2s"])
    #expect(result.exitCode == 1, "\(result)")
    let files = try await RunFiles(latestIn: state)
    #expect(files.report["executor"] as? String == "slurm")
    #expect(try files.jobStatus("ok") == "succeeded")
    #expect(try files.jobStatus("three") == "failed")
    #expect(try files.job("three")["exit_code"] as? Int == 3)
    #expect(try files.jobStatus("slow") == "timed_out")
    let slow = try files.job("slow")["duration_seconds"] as? Double ?? 0
    #expect(slow >= 3 && slow < 15, "batchrun's own clock stops it, not Slurm's minute: \(slow) s")
    #expect(try files.jobStatus("skipped") == "skipped")
    #expect(try files.job("skipped")["reason"] as? String == "need 'three' failed")
    #expect(try files.jobStatus("flaky") == "succeeded")
    let flaky = try files.attempts("flaky")
    #expect(flaky.count == 2)
    #expect(
      Set(flaky.compactMap { $0["native_id"] as? String }).count == 2, "each attempt is a job of its own")
    #expect(try files.jobStatus("after") == "succeeded")
    // Dependency order, by the report's timestamps.
    #expect(try Self.date(files.job("after")["started_at"]) >= Self.date(files.job("ok")["finished_at"]))
    // The log holds the output, and the job's $SLURM_JOB_ID is the attempt's native_id.
    let attempt = try #require(try files.attempts("ok").first)
    let id = try #require(attempt["native_id"] as? String)
    let host = ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? ""
    #expect(try files.log("logs/ok.log") == "job \(id) on \(host)\n")
    #expect(attempt["host"] as? String == host)
    #expect(try await SlurmTestCluster.activeJobs(named: files.report["run_id"] as? String ?? "?").isEmpty)
  }

  /// Jobs running and pending (more than the node's 8 CPUs), then a stop: afterwards no
  /// job of the run is queued and no process of it is left on the node.
  func expectStopLeavesNothing(
    _ signal: Int32?, exitCode: Int32, extra: String = "", arguments: [String] = []
  ) async throws {
    let marker = ProcessTable.uniqueSleepArgument()
    var manifest = "jobs:\n" + extra
    for index in 1...12 { manifest += "  s\(index): {run: 'sleep \(marker)'}\n" }
    let result = try await run(
      manifest, ["-j", "12"] + arguments,
      signals: signal.map { [.init($0, after: .seconds(5), toGroup: $0 == SIGINT)] } ?? [])
    #expect(result.exitCode == exitCode, "\(result)")
    let files = try await RunFiles(latestIn: state)
    let runID = try #require(files.report["run_id"] as? String)
    #expect(try await SlurmTestCluster.activeJobs(named: runID).isEmpty, "squeue still lists jobs of the run")
    let survivors = await ProcessTable.survivors(of: marker, within: .seconds(1))
    ProcessTable.kill(survivors)
    #expect(survivors.isEmpty, "processes left on the node: \(survivors)")
    let statuses = try (1...12).map { try files.jobStatus("s\($0)") }
    #expect(statuses.allSatisfy { $0 == "cancelled" }, "\(statuses)")
    // Some were running and some pending when the stop came.
    let started = try (1...12).filter { try !files.attempts("s\($0)").isEmpty }
    #expect(started.count >= 8)
  }

  @Test func ctrlCCancelsRunningAndPendingJobs() async throws {
    try await expectStopLeavesNothing(SIGINT, exitCode: 130)
  }

  @Test func sigtermCancelsRunningAndPendingJobs() async throws {
    try await expectStopLeavesNothing(SIGTERM, exitCode: 143)
  }

  @Test func failFastCancelsRunningAndPendingJobs() async throws {
    let result = try await run(
      """
      jobs:
        breaks: {run: 'sleep 4; exit 1'}
        waits: {run: 'sleep 600', needs: breaks}
      """ + "\n" + (1...12).map { "  s\($0): {run: 'sleep 600'}" }.joined(separator: "\n"),
      ["-j", "13", "--fail-fast"])
    #expect(result.exitCode == 1, "\(result)")
    let files = try await RunFiles(latestIn: state)
    let runID = try #require(files.report["run_id"] as? String)
    #expect(try await SlurmTestCluster.activeJobs(named: runID).isEmpty)
    #expect(try files.jobStatus("breaks") == "failed")
    #expect(try (1...12).allSatisfy { try files.jobStatus("s\($0)") == "cancelled" })
    #expect(try files.jobStatus("waits") == "skipped")
    #expect(ProcessTable.processes(containing: "sleep 600").isEmpty)
  }

  @Test func unreachableControllerExits70() async throws {
    let conf = try String(contentsOfFile: SlurmTestCluster.environment["SLURM_CONF"] ?? "", encoding: .utf8)
      .split(separator: "\n").map { $0.hasPrefix("SlurmctldPort=") ? "SlurmctldPort=6999" : String($0) }
      .joined(separator: "\n")
    let wrong = try directory.write("wrong-slurm.conf", conf)
    let result = try await run("jobs:\n  a: {run: 'true'}\n", environment: ["SLURM_CONF": wrong])
    #expect(result.exitCode == 70, "\(result)")
    #expect(result.stderr.contains("cannot use Slurm"), "\(result.stderr)")
    #expect(result.stderr.contains("Unable to contact slurm controller"), "\(result.stderr)")
    let missing = try await run(
      "jobs:\n  a: {run: 'true'}\n", environment: ["SLURM_CONF": "/nonexistent/slurm.conf"])
    #expect(missing.exitCode == 70, "\(missing)")
    #expect(missing.elapsed < .seconds(10), "no minute of Slurm's retries")
  }

  @Test func refusedFlagsFailTheJobWithSlurmsMessage() async throws {
    let result = try await run(
      """
      executor: {slurm: {partition: nosuchpartition}}
      jobs:
        a: {run: 'true'}
      """)
    #expect(result.exitCode == 1, "\(result)")
    let files = try await RunFiles(latestIn: state)
    #expect(try files.jobStatus("a") == "failed")
    #expect(try files.log("logs/a.log").contains("Invalid partition name specified"))
  }

  @Test func fanOutOf200JobsNeverExceedsTheCap() async throws {
    // squeue through a wrapper on PATH that counts batchrun's calls.
    let bin = directory.url.appendingPathComponent("bin")
    let calls = directory.url.appendingPathComponent("squeue-calls").path
    _ = try directory.write("bin/squeue", "#!/bin/sh\necho x >> \(calls)\nexec /usr/bin/squeue \"$@\"\n")
    chmod(bin.appendingPathComponent("squeue").path, 0o755)
    let manifest = "jobs:\n" + (1...200).map { "  j\($0): {run: 'true'}" }.joined(separator: "\n") + "\n"
    let sampler = Task {
      var most = 0
      while !Task.isCancelled {
        let count = (try? await SlurmTestCluster.activeJobs(named: "batchrun:").count) ?? 0
        most = max(most, count)
        try? await Task.sleep(for: .milliseconds(200))
      }
      return most
    }
    let path = bin.path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
    let result = try await run(manifest, ["-j", "20"], environment: ["PATH": path], timeout: .seconds(300))
    sampler.cancel()
    let most = await sampler.value
    #expect(result.exitCode == 0, "\(result)")
    let files = try await RunFiles(latestIn: state)
    #expect(files.jobs.count == 200)
    #expect(files.jobs.allSatisfy { $0["status"] as? String == "succeeded" })
    #expect(most > 0 && most <= 20, "at most 20 submitted and unfinished, saw \(most)")
    let squeueCalls = (try? String(contentsOfFile: calls, encoding: .utf8))?.split(separator: "\n").count ?? 0
    let seconds = Double(result.elapsed.components.seconds) + 1
    // One call per poll, at most two polls a second: never one per job.
    #expect(
      squeueCalls > 0 && Double(squeueCalls) <= seconds * 2 + 5, "\(squeueCalls) squeue calls in \(seconds) s"
    )
  }
}
