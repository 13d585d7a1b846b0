import Foundation
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// Issue #10: batchrun's own spawn path keeps every guarantee of "Running jobs" where the
/// new code could fail: descriptors batchrun inherited without close-on-exec, signals
/// its parent made it ignore, a failed `posix_spawn`, a full descriptor table.
@Suite("Spawn path")
struct SpawnPathTests {
  let directory: TemporaryDirectory

  init() throws {
    directory = try TemporaryDirectory(prefix: "batchrun-spawn")
  }

  var state: URL { directory.url.appendingPathComponent(".batchrun") }

  /// Runs `batchrun arguments` through `sh -c`, after `setup` (shell commands).
  func batchrun(after setup: String, _ arguments: String) async throws -> BatchrunProcess.Result {
    try await BatchrunProcess.run(
      URL(fileURLWithPath: "/bin/sh"),
      ["-c", "\(setup); exec \"$0\" \(arguments)", try BatchrunProcess.batchrunURL.path],
      in: directory.url)
  }

  @Test("Descriptors batchrun inherited without close-on-exec and signals it ignores never reach a job")
  func inheritedDescriptorsAndIgnoredSignals() async throws {
    // The job records its pid and becomes `sleep`; the test inspects it from outside, so
    // that no descriptor of a probe's own shows up.
    try directory.write("m.yaml", "jobs:\n  probe: {argv: [sh, -c, 'echo $$ > probe.pid; exec sleep 60']}\n")
    // As a shell's background job would be: SIGINT and SIGQUIT ignored; and two open
    // descriptors without FD_CLOEXEC.
    let run = Task {
      try await batchrun(after: "trap '' INT QUIT; exec 7</etc/hostname 9>/dev/null", "m.yaml")
    }
    let pidFile = directory.url.appendingPathComponent("probe.pid").path
    let probe = await pollUntil(within: .seconds(30)) { () -> String? in
      guard let text = try? String(contentsOfFile: pidFile, encoding: .utf8), text.hasSuffix("\n") else {
        return nil
      }
      let pid = text.trimmingCharacters(in: .whitespacesAndNewlines)
      // Once it is `sleep`, the shell's own descriptors are gone.
      let command = (try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8)) ?? ""
      return command.hasPrefix("sleep") ? pid : nil
    }
    let pid = try #require(probe, "the job did not start")
    let fds = try FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").sorted()
    let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
    _ = kill(pid_t(pid) ?? 0, SIGTERM)
    #expect(fds == ["0", "1", "2"], "only fds 0-2 reach a job")
    let ignored = status.split(separator: "\n").first { $0.hasPrefix("SigIgn:") }
      .flatMap { UInt64($0.dropFirst(7).trimmingCharacters(in: .whitespaces), radix: 16) }
    // glibc's posix_spawn keeps its two internal signals (32 and 33) ignored.
    #expect(ignored.map { $0 & ~UInt64(0x1_8000_0000) } == 0, "no signal is ignored in the job: \(status)")
    #expect(try await run.value.exitCode == 1)
  }

  @Test("A file that cannot be executed fails its job with exit 127 and the reason")
  func failedSpawn() async throws {
    try directory.write("no-shebang", "echo hello\n")
    chmod(directory.url.appendingPathComponent("no-shebang").path, 0o755)
    try directory.write(
      "m.yaml", "jobs:\n  bad: {argv: [./no-shebang]}\n  dir: {argv: [/tmp]}\n  next: {run: 'true'}\n")
    let result = try await BatchrunProcess.batchrun(["-k", "m.yaml"], in: directory.url)
    #expect(result.exitCode == 1, "\(result)")
    let files = try await RunFiles(latestIn: state)
    #expect(try files.log("logs/bad.log").contains("./no-shebang: Exec format error"))
    #expect(try files.log("logs/dir.log").contains("/tmp: is a directory"))
    #expect(try files.job("bad")["exit_code"] as? Int == 127)
    #expect(try files.jobStatus("next") == "succeeded")
  }

  @Test("A full descriptor table fails the jobs that cannot get a log, and the report is still written")
  func fullDescriptorTable() async throws {
    let jobs = (1...8).map { "  j\($0): {run: 'sleep 0.2'}\n" }.joined()
    try directory.write("m.yaml", "jobs:\n" + jobs)
    // Found by trying: enough for batchrun to start, too few for eight logs at once.
    let result = try await batchrun(after: "ulimit -n 14", "-k -j 8 m.yaml")
    #expect(result.exitCode == 1, "\(result)")
    let files = try await RunFiles(latestIn: state)
    let statuses = files.jobs.compactMap { $0["status"] as? String }
    #expect(statuses.count == 8)
    #expect(statuses.contains("failed") && statuses.contains("succeeded"), "\(statuses)")
    for job in files.jobs where job["status"] as? String == "failed" {
      #expect(job["exit_code"] as? Int == 127)
    }
    #expect(result.stdout.contains("could not start: cannot open log"), "\(result)")
  }

  @Test("No descriptor at all: batchrun says so and exits 70 before any job starts")
  func noDescriptorLeft() async throws {
    try directory.write("m.yaml", "jobs:\n  one: {run: 'touch ran'}\n")
    let result = try await batchrun(after: "ulimit -n 11", "m.yaml")
    #expect(result.exitCode == 70, "\(result)")
    #expect(
      result.stderr.contains("Too many open files") || result.stderr.contains("no file descriptor left"))
    #expect(!FileManager.default.fileExists(atPath: directory.url.appendingPathComponent("ran").path))
  }
}
