import Foundation
import Synchronization
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// Issue #15: the console never costs a run anything. A reader that goes away (`| head
/// -1`) or never reads (a full pipe) neither kills batchrun, nor orphans its jobs, nor
/// delays a timeout or a signal; long lines cost bounded memory; output written after a
/// job's main process exits is still shown.
@Suite("Console guarantees", .serialized)
struct ConsoleGuaranteeTests {
  let directory: TemporaryDirectory

  init() throws {
    directory = try TemporaryDirectory(prefix: "batchrun-console")
  }

  var state: URL { directory.url.appendingPathComponent(".batchrun") }

  /// A pipe of the test's whose read end nobody reads: batchrun's stdout fills it and
  /// then blocks. Both ends close when the value is released.
  final class UnreadPipe: Sendable {
    let read: Int32
    let write: Int32

    init() throws {
      var ends: [Int32] = [0, 0]
      guard pipe(&ends) == 0 else { throw BatchrunProcess.LaunchError(description: "pipe failed") }
      read = ends[0]
      write = ends[1]
    }

    /// The path a child opens to get the write end.
    var writePath: String { "/proc/\(getpid())/fd/\(write)" }

    deinit {
      close(read)
      close(write)
    }
  }

  @Test(
    "batchrun | head -1: the run goes on quietly, writes its report and leaves no process",
    arguments: ["stream", "status", "grouped"])
  func brokenPipe(mode: String) async throws {
    for round in 1...5 {
      let marker = ProcessTable.uniqueSleepArgument()
      defer { ProcessTable.kill(ProcessTable.processes(containing: marker)) }
      try directory.write(
        "m.yaml",
        """
        jobs:
          chatty: {run: 'for i in $(seq 1 2000); do echo line $i; done'}
          later: {run: 'sleep 0.3; echo $PPID > later.ppid; sleep 0.\(marker.suffix(6))', needs: chatty}
          slow: {run: 'sleep \(marker) & sleeper=$!; sleep 0.6; kill $sleeper'}
        """)
      try? FileManager.default.removeItem(at: directory.url.appendingPathComponent("status"))
      let result = try await BatchrunProcess.run(
        URL(fileURLWithPath: "/bin/sh"),
        [
          "-c", "{ \"$0\" --output \(mode) -j 3 m.yaml; echo $? > status; } | head -1",
          try BatchrunProcess.batchrunURL.path,
        ],
        in: directory.url)
      #expect(result.exitCode == 0, "round \(round): \(result)")
      #expect(result.stdoutLines.count == 1, "round \(round): \(result)")
      let status = try String(contentsOf: directory.url.appendingPathComponent("status"), encoding: .utf8)
      #expect(status == "0\n", "round \(round): batchrun's exit status; stderr: \(result.stderr)")
      let files = try await RunFiles(latestIn: state)
      #expect(files.status == "succeeded", "round \(round)")
      #expect(files.jobs.allSatisfy { $0["status"] as? String == "succeeded" }, "round \(round)")
      #expect(try files.log("logs/chatty.log").hasSuffix("line 2000\n"))
      let survivors = await ProcessTable.survivors(of: marker, within: .seconds(1))
      #expect(survivors.isEmpty, "round \(round): survivors \(survivors)")
    }
  }

  @Test("A full stdout pipe delays neither a timeout nor the end of the run")
  func blockedStdoutKeepsTimeouts() async throws {
    try directory.write(
      "m.yaml",
      """
      jobs:
        spam: {run: 'yes spam-spam-spam-spam | head -c 20000000; sleep 5', timeout: 1}
      """)
    for round in 1...3 {
      let pipe = try UnreadPipe()
      let result = try await BatchrunProcess.batchrun(
        ["--output", "stream", "--kill-grace", "500ms", "m.yaml"], in: directory.url, timeout: .seconds(30),
        stdout: pipe.writePath)
      #expect(result.exitCode == 1, "round \(round): \(result)")
      #expect(result.elapsed < .seconds(4), "round \(round): \(result.elapsed)")
      let files = try await RunFiles(latestIn: state)
      #expect(try files.jobStatus("spam") == "timed_out", "round \(round)")
      // The log holds everything the console could not take.
      #expect(try files.job("spam")["output_bytes"] as? Int == 20_000_000, "round \(round)")
    }
  }

  @Test("A full stdout pipe does not delay SIGTERM: the run ends within kill-grace plus 1 s")
  func blockedStdoutKeepsSignals() async throws {
    try directory.write(
      "m.yaml",
      """
      jobs:
        spam: {run: 'yes spam-spam-spam-spam | head -c 20000000; sleep 30'}
        idle: {run: 'sleep 30'}
      """)
    for round in 1...3 {
      let pipe = try UnreadPipe()
      let result = try await BatchrunProcess.batchrun(
        ["--output", "stream", "--kill-grace", "1s", "m.yaml"], in: directory.url,
        signals: [.init(SIGTERM, after: .seconds(2))], timeout: .seconds(30), stdout: pipe.writePath)
      #expect(result.exitCode == 143, "round \(round): \(result)")
      #expect(result.elapsed < .seconds(2) + .seconds(1) + .seconds(1), "round \(round): \(result.elapsed)")
      let files = try await RunFiles(latestIn: state)
      #expect(files.status == "cancelled", "round \(round)")
      #expect(files.jobs.allSatisfy { $0["status"] as? String == "cancelled" }, "round \(round)")
    }
  }

  @Test(
    "When the console falls behind, job output is dropped with a line naming the log",
    arguments: ["stream", "grouped"])
  func droppedOutputIsMarked(mode: String) async throws {
    // The last job keeps the run going until the reader has started.
    let jobs = (1...8).map { "  spam\($0): {run: 'yes spam-spam-spam-spam | head -c 2000000'}\n" }
    let last = "  last: {run: 'sleep 5', needs: [\((1...8).map { "spam\($0)" }.joined(separator: ", "))]}\n"
    try directory.write("m.yaml", "jobs:\n" + jobs.joined() + last)
    let pipe = try UnreadPipe()
    let finished = Mutex(false)
    // Drains the pipe only once batchrun has queued more than it can take, and until
    // batchrun has exited.
    let reader = Task {
      try? await Task.sleep(for: .seconds(3))
      return await onOwnThread { () -> String in
        var text: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        _ = fcntl(pipe.read, F_SETFL, O_NONBLOCK)
        while true {
          let count = read(pipe.read, &chunk, chunk.count)
          if count > 0 {
            text += chunk[0..<count]
          } else if finished.withLock({ $0 }) {
            return String(decoding: text, as: UTF8.self)
          } else {
            usleep(10_000)
          }
        }
      }
    }
    let result = try await BatchrunProcess.batchrun(
      ["--output", mode, "m.yaml"], in: directory.url, timeout: .seconds(60), stdout: pipe.writePath)
    finished.withLock { $0 = true }
    let shown = await reader.value
    #expect(result.exitCode == 0, "\(result)")
    let files = try await RunFiles(latestIn: state)
    let markers = shown.split(separator: "\n").filter { $0.contains("the console") && $0.contains("behind") }
    #expect(!markers.isEmpty, "no line says output was dropped")
    #expect(
      markers.allSatisfy { $0.contains("the whole log is \(files.directory.path)/logs/spam") },
      "each marker names the log: \(markers)")
    #expect(shown.contains("succeeded: 9 jobs"), "the summary is never dropped")
    for job in 1...8 {
      #expect(try files.job("spam\(job)")["output_bytes"] as? Int == 2_000_000)
    }
  }

  @Test(
    "A 300 kB line without a newline is cut on the console and kept whole in the log",
    arguments: ["stream", "grouped"])
  func longLinesAreCut(mode: String) async throws {
    try directory.write(
      "m.yaml",
      """
      jobs:
        wide: {run: 'head -c 300000 /dev/zero | tr "\\\\0" x; echo; echo next line'}
      """)
    let result = try await BatchrunProcess.batchrun(["--output", mode, "m.yaml"], in: directory.url)
    #expect(result.exitCode == 0, "\(result)")
    let files = try await RunFiles(latestIn: state)
    #expect(try files.job("wide")["output_bytes"] as? Int == 300_000 + 1 + 10)
    let wide = try #require(result.stdoutLines.first { $0.contains("xxxx") })
    #expect(wide.utf8.count < 65536 + 200, "the line is cut at 64 KiB")
    #expect(wide.hasSuffix("[line cut at 64 KiB; whole in \(files.directory.path)/logs/wide.log]"))
    #expect(result.stdout.contains("next line"), "the next line is shown")
  }

  @Test(
    "Output written after the main process exits (a server logging its SIGTERM) is shown and counted",
    arguments: ["stream", "grouped"])
  func lateOutputIsFollowed(mode: String) async throws {
    try directory.write(
      "m.yaml",
      """
      jobs:
        server:
          run: |
            sh -c 'trap "echo got SIGTERM; sleep 0.2; echo bye; exit 0" TERM; echo server up; while :; do sleep 0.05; done' &
            sleep 0.3
            echo main done
        after: {run: 'echo after', needs: server}
      """)
    let result = try await BatchrunProcess.batchrun(["--output", mode, "m.yaml"], in: directory.url)
    #expect(result.exitCode == 0, "\(result)")
    let files = try await RunFiles(latestIn: state)
    let log = try files.log("logs/server.log")
    #expect(log.contains("got SIGTERM\n") && log.hasSuffix("bye\n"), "\(log)")
    #expect(try files.job("server")["output_bytes"] as? Int == log.utf8.count)
    for line in ["server up", "main done", "got SIGTERM", "bye"] {
      #expect(result.stdout.contains(line), "\(line) is missing from: \(result.stdout)")
    }
  }
}
