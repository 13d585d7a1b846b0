import Foundation
import Testing

/// batchrun under GNU make's jobserver: real make, real pipes, every token back.
@Suite("make's jobserver, as a client", .serialized)
struct JobserverEndToEndTests {
  let directory: TemporaryDirectory

  init() throws {
    directory = try TemporaryDirectory(prefix: "batchrun-jobserver")
  }

  /// Eight jobs that log their start and end times.
  static let eight =
    "jobs:\n"
    + (1...8).map {
      "  j\($0): {run: 'echo start $(date +%s.%N) >> times.log; sleep 0.3; echo end $(date +%s.%N) >> times.log'}\n"
    }.joined()

  /// The most jobs that ran at once, from times.log (only lines tagged `tag` when given).
  func mostAtOnce(tagged tag: String? = nil) throws -> Int {
    let text = try String(contentsOf: directory.url.appendingPathComponent("times.log"), encoding: .utf8)
    var events: [(time: Double, change: Int)] = []
    for line in text.split(separator: "\n") {
      let parts = line.split(separator: " ")
      if let tag, parts.count < 3 || parts[2] != tag { continue }
      events.append((Double(parts[1]) ?? 0, parts[0] == "start" ? 1 : -1))
    }
    // Ends before starts at the same instant.
    events.sort { ($0.time, $0.change) < ($1.time, $1.change) }
    var current = 0
    var most = 0
    for (_, change) in events {
      current += change
      most = max(most, current)
    }
    return most
  }

  @Test("In a '+' recipe of make -j3: exactly 3 jobs at once, and both tokens are back at the end")
  func underMake() async throws {
    try directory.write("m.yaml", Self.eight)
    // After batchrun, the recipe's next line counts the tokens in make's pipe (and puts them back).
    try directory.write(
      "count.py",
      """
      import os, re
      auth = re.findall(r"--jobserver-auth=(\\S+)", os.environ["MAKEFLAGS"])[-1]
      r, w = (int(x) for x in auth.split(","))
      fd = os.open(f"/proc/self/fd/{r}", os.O_RDONLY | os.O_NONBLOCK)
      tokens = b""
      while True:
          try:
              byte = os.read(fd, 1)
          except BlockingIOError:
              break
          tokens += byte
      os.write(w, tokens)
      print("tokens", len(tokens))
      """)
    let batchrun = try BatchrunProcess.batchrunURL.path
    try directory.write(
      "Makefile",
      "all:\n\t+\(batchrun) run m.yaml --output quiet --state-dir state\n\t+python3 count.py\n")
    let make = try await BatchrunProcess.run(
      URL(fileURLWithPath: "/usr/bin/make"), ["-j3"], in: directory.url,
      removingEnvironment: ["MAKEFLAGS", "MFLAGS"])
    #expect(make.exitCode == 0, "\(make)")
    #expect(try mostAtOnce() == 3)
    #expect(make.stdout.contains("tokens 2"), "\(make)")
  }

  @Test("A recipe without '+' has no jobserver descriptors: one warning, and -j 1")
  func unusableUnderMake() async throws {
    try directory.write("m.yaml", Self.eight.replacingOccurrences(of: "sleep 0.3", with: "sleep 0.05"))
    let batchrun = try BatchrunProcess.batchrunURL.path
    try directory.write("Makefile", "all:\n\t\(batchrun) run m.yaml --output quiet --state-dir state\n")
    let make = try await BatchrunProcess.run(
      URL(fileURLWithPath: "/usr/bin/make"), ["-j3"], in: directory.url,
      removingEnvironment: ["MAKEFLAGS", "MFLAGS"])
    #expect(make.exitCode == 0, "\(make)")
    #expect(make.stderr.components(separatedBy: "warning: ").count == 2, "one warning: \(make.stderr)")
    #expect(make.stderr.contains("running with -j 1"))
    #expect(try mostAtOnce() == 1)
  }

  /// How a run ends, and the manifest that ends it so.
  static let endings: [(String, String, [String], Int32?)] = [
    (
      "success", "jobs:\n  a: {run: 'sleep 0.2'}\n  b: {run: 'sleep 0.2'}\n  c: {run: 'sleep 0.2'}\n", [], nil
    ),
    (
      "failure", "jobs:\n  a: {run: 'sleep 0.2; exit 3'}\n  b: {run: 'sleep 0.2'}\n  c: {run: 'sleep 0.2'}\n",
      ["-k"], nil
    ),
    (
      "timeout",
      "jobs:\n  a: {run: 'sleep 30', timeout: 300ms}\n  b: {run: 'sleep 30', timeout: 300ms}\n  c: {run: 'true'}\n",
      ["--kill-grace", "100ms"], nil
    ),
    (
      "fail-fast", "jobs:\n  a: {run: 'sleep 0.2; exit 1'}\n  b: {run: 'sleep 30'}\n  c: {run: 'sleep 30'}\n",
      ["--fail-fast", "--kill-grace", "100ms"], nil
    ),
    (
      "signal", "jobs:\n  a: {run: 'sleep 30'}\n  b: {run: 'sleep 30'}\n  c: {run: 'sleep 30'}\n",
      ["--kill-grace", "100ms"], SIGINT
    ),
    (
      "crash", "jobs:\n  a: {run: 'kill -KILL $$'}\n  b: {run: 'kill -SEGV $$'}\n  c: {run: 'sleep 0.2'}\n",
      ["-k"], nil
    ),
  ]

  @Test("Every token is back after every ending (make 4.4's fifo form)", arguments: 0..<6)
  func tokensComeBack(_ ending: Int) async throws {
    let (name, manifest, arguments, signal) = Self.endings[ending]
    let fifo = directory.url.appendingPathComponent("jobserver").path
    #expect(mkfifo(fifo, 0o600) == 0)
    // Held open for reading and writing, as make holds it, with 2 tokens in it.
    let fd = open(fifo, O_RDWR | O_NONBLOCK)
    defer { close(fd) }
    #expect(write(fd, "++", 2) == 2)
    try directory.write("m.yaml", manifest)
    let result = try await BatchrunProcess.batchrun(
      ["run", "m.yaml", "--output", "quiet", "--state-dir", "state"] + arguments, in: directory.url,
      environment: ["MAKEFLAGS": " -j3 --jobserver-auth=fifo:\(fifo)"],
      signals: signal.map { [.init($0, after: .milliseconds(700))] } ?? [])
    #expect(result.exitCode != nil && !result.timedOut, "\(name): \(result)")
    var buffer = [UInt8](repeating: 0, count: 16)
    let back = read(fd, &buffer, 16)
    #expect(back == 2, "\(name): \(back) tokens back: \(result)")
  }

  @Test("--jobserver: a job's sub-make of 6 targets shares -j 3 with the other jobs, and gets tokens")
  func servesJobs() async throws {
    let log =
      "echo start $$(date +%s.%N) inner >> times.log; sleep 0.3; echo end $$(date +%s.%N) inner >> times.log"
    try directory.write("Makefile", "all: t1 t2 t3 t4 t5 t6\nt%:\n\t@\(log)\n")
    try directory.write(
      "m.yaml",
      """
      jobs:
        sub: {run: make}
        other: {run: 'echo start $(date +%s.%N) >> times.log; sleep 0.5; echo end $(date +%s.%N) >> times.log'}
      """)
    let result = try await BatchrunProcess.batchrun(
      ["run", "m.yaml", "-j", "3", "--jobserver", "--state-dir", "state"], in: directory.url,
      removingEnvironment: ["MAKEFLAGS", "MFLAGS"])
    #expect(result.exitCode == 0, "\(result)")
    #expect(try mostAtOnce() == 3, "never more than 3 at once, and 3 at some point")
    #expect(try mostAtOnce(tagged: "inner") >= 2, "the inner make got tokens")
    let text = try String(contentsOf: directory.url.appendingPathComponent("times.log"), encoding: .utf8)
    #expect(text.components(separatedBy: "start").count - 1 == 7)
  }
}
