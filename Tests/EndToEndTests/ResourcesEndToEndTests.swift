import Foundation
import Testing

/// `pools`, `resources`, `BATCHRUN_SLOT`, GPU ids and the retry policy, with the built
/// `batchrun` and real jobs that record when they ran.
@Suite("Pools, resources, slots, GPUs and retries, end to end", .serialized)
struct ResourcesEndToEndTests {
  let directory: TemporaryDirectory

  init() throws {
    directory = try TemporaryDirectory(prefix: "batchrun-resources")
  }

  var state: URL { directory.url.appendingPathComponent(".batchrun") }

  /// One job's own record of its run: from the job itself, so inside batchrun's view.
  struct Span {
    var id: String
    var start: Int
    var end: Int
    var slot: Int
    var gpus: [String]

    func overlaps(_ other: Span) -> Bool { start < other.end && other.start < end }
  }

  /// A job that records its start, slot and GPUs, sleeps, and records its end.
  static func recording(_ seconds: String) -> String {
    #"run: 'echo "$BATCHRUN_JOB_ID $(date +%s%N) $BATCHRUN_SLOT ${BATCHRUN_GPUS:-}" > spans/$BATCHRUN_JOB_ID.start;"#
      + #" sleep \#(seconds); date +%s%N > spans/$BATCHRUN_JOB_ID.end'"#
  }

  func run(_ manifest: String, _ arguments: [String]) async throws -> [Span] {
    try directory.write("m.yaml", manifest)
    try FileManager.default.createDirectory(
      at: directory.url.appendingPathComponent("spans"), withIntermediateDirectories: true)
    let result = try await BatchrunProcess.batchrun(
      arguments + ["m.yaml"], in: directory.url, timeout: .seconds(60))
    #expect(result.exitCode == 0, "\(result)")
    #expect(!result.timedOut, "no deadlock")
    let spans = directory.url.appendingPathComponent("spans")
    return try FileManager.default.contentsOfDirectory(atPath: spans.path).filter { $0.hasSuffix(".start") }
      .map {
        let start = try String(contentsOf: spans.appendingPathComponent($0), encoding: .utf8)
          .split(separator: " ", omittingEmptySubsequences: false).map {
            $0.trimmingCharacters(in: .whitespacesAndNewlines)
          }
        let id = start[0]
        let end = try String(contentsOf: spans.appendingPathComponent("\(id).end"), encoding: .utf8)
        return Span(
          id: id, start: Int(start[1])!, end: Int(end.trimmingCharacters(in: .whitespacesAndNewlines))!,
          slot: Int(start[2])!, gpus: start[3].split(separator: ",").map(String.init))
      }
  }

  @Test("A depth-1 pool never runs two of its jobs at once; other jobs run beside them")
  func depthOnePool() async throws {
    let jobs =
      (1...4).map { "  db\($0): {pool: db, \(Self.recording("0.2"))}" }
      + (1...2).map { "  free\($0): {\(Self.recording("0.3"))}" }
    let spans = try await run(
      "pools: {db: 1, other: 3}\njobs:\n" + jobs.joined(separator: "\n") + "\n", ["-j", "4"])
    #expect(spans.count == 6)
    let pool = spans.filter { $0.id.hasPrefix("db") }
    for a in pool {
      for b in pool where a.id < b.id { #expect(!a.overlaps(b), "\(a) and \(b) overlap") }
    }
    let free = spans.filter { $0.id.hasPrefix("free") }
    #expect(free.contains { f in pool.contains { $0.overlaps(f) } }, "the pool does not hold back other jobs")
  }

  @Test("cpus: 2 jobs at -j 4 never have more than 4 cpus in use, and never more than 2 of them run")
  func cpuBudget() async throws {
    let jobs =
      (1...5).map { "  two\($0): {resources: {cpus: 2}, \(Self.recording("0.2"))}" }
      + (1...3).map { "  one\($0): {\(Self.recording("0.1"))}" }
    let spans = try await run("jobs:\n" + jobs.joined(separator: "\n") + "\n", ["-j", "4"])
    #expect(spans.count == 8)
    for probe in spans.map(\.start) {
      let running = spans.filter { $0.start <= probe && probe < $0.end }
      let cpus = running.reduce(0) { $0 + ($1.id.hasPrefix("two") ? 2 : 1) }
      #expect(cpus <= 4, "at \(probe): \(running.map(\.id))")
    }
    #expect(
      spans.contains { a in spans.contains { b in a.id != b.id && a.overlaps(b) } }, "jobs do run together")
  }

  @Test("No two jobs running at once share a slot or a GPU id; slots are 0..N-1")
  func slotsAndGPUs() async throws {
    let jobs =
      (1...8).map { "  g\($0): {resources: {gpus: \($0 % 2 + 1)}, \(Self.recording("0.15"))}" }
      + (1...4).map { "  c\($0): {\(Self.recording("0.1"))}" }
    let spans = try await run(
      "jobs:\n" + jobs.joined(separator: "\n") + "\n", ["-j", "3", "--gpus", "0,1,2"])
    #expect(spans.count == 12)
    for span in spans {
      #expect((0..<3).contains(span.slot))
      let asked = span.id.hasPrefix("g") ? Int(span.id.dropFirst())! % 2 + 1 : 0
      #expect(span.gpus.count == asked, "\(span)")
      #expect(Set(span.gpus).isSubset(of: ["0", "1", "2"]))
    }
    for a in spans {
      for b in spans where a.id < b.id && a.overlaps(b) {
        #expect(a.slot != b.slot, "\(a) and \(b)")
        #expect(Set(a.gpus).isDisjoint(with: b.gpus), "\(a) and \(b)")
      }
    }
  }

  func attempts(_ files: RunFiles, _ id: String) throws -> [(start: Date, end: Date)] {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    return try files.attempts(id).map {
      (
        formatter.date(from: $0["started_at"] as! String)!,
        formatter.date(from: $0["finished_at"] as! String)!
      )
    }
  }

  @Test("Retry delays grow with retry-backoff up to retry-max-delay; retry-on leaves other exit codes alone")
  func retryPolicy() async throws {
    let manifest = """
      jobs:
        grows: {run: exit 3, retries: 3, retry-delay: 300ms, retry-backoff: 3, retry-max-delay: 1s, retry-on: [3, timeout]}
        other: {run: exit 4, retries: 3, retry-on: [3]}
        slow: {run: sleep 5, timeout: 100ms, retries: 1, retry-on: [timeout]}
      """
    try directory.write("m.yaml", manifest)
    let result = try await BatchrunProcess.batchrun(["-k", "m.yaml"], in: directory.url)
    #expect(result.exitCode == 1, "\(result)")
    let files = try await RunFiles(latestIn: state)
    let grows = try attempts(files, "grows")
    #expect(grows.count == 4)
    let delays = zip(grows, grows.dropFirst()).map { $1.start.timeIntervalSince($0.end) }
    for (delay, expected) in zip(delays, [0.3, 0.9, 1.0]) {
      // Uncapped, the third would be 2.7 s; without the backoff, all 0.3 s.
      #expect(delay >= expected - 0.01 && delay < expected + 0.5, "delays \(delays)")
    }
    #expect(try files.attempts("other").count == 1, "exit 4 is not in retry-on")
    #expect(try files.attempts("slow").count == 2, "a timeout is retried when listed")
  }

  @Test("--dry-run's waves hold only jobs that fit together: cpus within -j, a pool's depth")
  func dryRun() async throws {
    try directory.write(
      "m.yaml",
      """
      pools: {db: 1}
      jobs:
        a: {run: x, resources: {cpus: 2}}
        b: {run: x, resources: {cpus: 2}}
        c: {run: x, resources: {cpus: 2}}
        d: {run: x, pool: db}
        e: {run: x, pool: db}
        f: {run: x}
      """)
    let result = try await BatchrunProcess.batchrun(["-n", "-j", "4", "m.yaml"], in: directory.url)
    #expect(result.exitCode == 0, "\(result)")
    #expect(
      result.stdout == """
        dry run of 'm': 6 jobs in 3 waves at -j 4; nothing is run
        wave 1:
          a  x
          b  x
        wave 2:
          c  x
          d  x
          f  x
        wave 3:
          e  x

        """)
  }
}
