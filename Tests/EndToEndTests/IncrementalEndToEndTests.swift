import Foundation
import Testing

/// Up-to-date jobs, `--force`, `--resume` and `--from`, with real files and processes.
@Suite("Incremental runs")
struct IncrementalEndToEndTests {
  let directory: TemporaryDirectory

  init() throws {
    directory = try TemporaryDirectory(prefix: "batchrun-incremental")
    try FileManager.default.createDirectory(
      at: directory.url.appendingPathComponent("src/deep"), withIntermediateDirectories: true)
    _ = try directory.write("src/a.txt", "a\n")
    _ = try directory.write("src/deep/b.txt", "b\n")
  }

  var state: URL { directory.url.appendingPathComponent(".batchrun") }

  /// `build` reads src/** into out.txt, `test` reads out.txt into tested.txt, `plain` has no
  /// inputs. Each appends its name to ran.txt when it runs.
  static func manifest(buildCommand: String = "cat src/a.txt src/deep/b.txt > out.txt", flag: String = "1")
    -> String
  {
    """
    env: {FLAG: '\(flag)'}
    jobs:
      build:
        run: '\(buildCommand); echo build >> ran.txt'
        inputs: ['src/**']
        outputs: [out.txt]
      test:
        run: 'cat out.txt > tested.txt; echo test >> ran.txt'
        needs: [build]
        inputs: [out.txt]
        outputs: [tested.txt]
      plain: {run: 'echo plain >> ran.txt'}
    """
  }

  /// Runs `manifest` and returns the result and the jobs that ran, sorted by name (the
  /// order among ready jobs follows earlier runs' durations).
  func run(
    _ manifest: String = Self.manifest(), _ arguments: [String] = [],
    signals: [BatchrunProcess.ScheduledSignal] = [], path: String = "m.yaml"
  ) async throws -> (result: BatchrunProcess.Result, ran: [String]) {
    try directory.write("m.yaml", manifest)
    let ranFile = directory.url.appendingPathComponent("ran.txt")
    try? FileManager.default.removeItem(at: ranFile)
    let result = try await BatchrunProcess.batchrun(
      ["run", path, "-j", "1"] + arguments, in: directory.url, signals: signals)
    let ran =
      (try? String(contentsOf: ranFile, encoding: .utf8))?.split(separator: "\n").map(String.init).sorted()
      ?? []
    return (result, ran)
  }

  func statuses() async throws -> [String: String] {
    let files = try await RunFiles(latestIn: state)
    return Dictionary(uniqueKeysWithValues: try files.jobIDs.map { ($0, try files.jobStatus($0) ?? "") })
  }

  @Test(
    "A job two needs after one that ran looks at its inputs as they are then, not as they were when the run began"
  )
  func inputsWrittenByANeedOfANeed() async throws {
    // `gen` (no inputs) always runs and copies stamp.txt to gen.txt when they differ (so
    // that gen.txt's hash is known when the third run begins); `mid` is up to date from
    // the second run on; `last` reads gen.txt.
    let manifest = """
      jobs:
        gen: {run: 'cmp -s stamp.txt gen.txt || cp stamp.txt gen.txt; echo gen >> ran.txt'}
        mid: {run: 'echo mid >> ran.txt', needs: [gen], inputs: [mid.txt]}
        last: {run: 'echo last >> ran.txt', needs: [mid], inputs: [gen.txt]}
      """
    _ = try directory.write("stamp.txt", "1\n")
    _ = try directory.write("mid.txt", "m\n")
    #expect(try await run(manifest).ran == ["gen", "last", "mid"])
    #expect(try await run(manifest).ran == ["gen"])
    _ = try directory.write("stamp.txt", "2\n")
    #expect(try await run(manifest).ran == ["gen", "last"], "gen.txt changed by gen during the run")
    #expect(try await statuses() == ["gen": "succeeded", "mid": "up_to_date", "last": "succeeded"])
  }

  @Test("m.yaml and ./m.yaml are one manifest: the second run is up to date, and keeps the durations")
  func oneManifestByTwoPaths() async throws {
    #expect(try await run().ran == ["build", "plain", "test"])
    #expect(try await run(path: "./m.yaml").ran == ["plain"])
    #expect(try await run(path: "././m.yaml").ran == ["plain"])
    let durations =
      try JSONSerialization.jsonObject(
        with: Data(contentsOf: state.appendingPathComponent("cache/durations.json"))) as? [String: Any]
    let manifests = try #require(durations?["manifests"] as? [String: Any])
    #expect(Array(manifests.keys) == [directory.url.appendingPathComponent("m.yaml").path])
  }

  @Test(
    "The longest job starts first from the second run on, and a run where all was up to date keeps its durations"
  )
  func durationsOrderTheJobs() async throws {
    // At -j 1, with no durations, ties go in manifest order: quick, then slow.
    let manifest = """
      jobs:
        quick: {run: 'echo quick >> order.txt', inputs: [in.txt]}
        slow: {run: 'sleep 0.3; echo slow >> order.txt', inputs: [in.txt]}
      """
    _ = try directory.write("in.txt", "1\n")
    let order = directory.url.appendingPathComponent("order.txt")
    func started() throws -> [String] {
      defer { try? FileManager.default.removeItem(at: order) }
      return try String(contentsOf: order, encoding: .utf8).split(separator: "\n").map(String.init)
    }
    #expect(try await run(manifest).result.exitCode == 0)
    #expect(try started() == ["quick", "slow"], "no durations yet: manifest order")
    let noop = try await run(manifest)
    #expect(noop.result.exitCode == 0)
    #expect(try await statuses() == ["quick": "up_to_date", "slow": "up_to_date"])
    _ = try directory.write("in.txt", "2\n")
    #expect(try await run(manifest).result.exitCode == 0)
    #expect(try started() == ["slow", "quick"], "the durations of the first run, kept through the no-op one")
  }

  @Test(
    "A second run is up to date; touching a file changes nothing; a content change reruns its job and what follows"
  )
  func fingerprints() async throws {
    let first = try await run()
    #expect(first.result.exitCode == 0, "\(first.result)")
    #expect(first.ran == ["build", "plain", "test"])

    let second = try await run()
    #expect(second.result.exitCode == 0)
    #expect(second.ran == ["plain"], "jobs without inputs always run")
    #expect(try await statuses() == ["build": "up_to_date", "test": "up_to_date", "plain": "succeeded"])
    let files = try await RunFiles(latestIn: state)
    let reason = try #require(try files.job("build")["reason"] as? String)
    #expect(reason.hasPrefix("unchanged since run "))
    #expect((try files.job("build")["fingerprint"] as? String)?.count == 64)
    #expect(second.result.stdout.contains("     up build: unchanged since run "))
    #expect(second.result.stdout.contains("1 succeeded, 2 up to date"))

    // The hash cache is read back whole: a run with nothing new hashes nothing, and
    // leaves the cache as it was (not rewritten) and says nothing of it.
    let cache = state.appendingPathComponent("cache/files")
    let written = try FileManager.default.attributesOfItem(atPath: cache.path)[.modificationDate] as? Date
    try await Task.sleep(for: .milliseconds(20))
    let quiet = try await run()
    #expect(
      try FileManager.default.attributesOfItem(atPath: cache.path)[.modificationDate] as? Date == written)
    #expect(!quiet.result.stdout.contains("warning"), "\(quiet.result)")

    // mtime changes, content does not.
    let later = Date().addingTimeInterval(5)
    for file in ["src/a.txt", "src/deep/b.txt"] {
      try FileManager.default.setAttributes(
        [.modificationDate: later], ofItemAtPath: directory.url.appendingPathComponent(file).path)
    }
    #expect(try await run().ran == ["plain"])

    // A file deep under src/ changes: build and test run again.
    _ = try directory.write("src/deep/b.txt", "B\n")
    #expect(try await run().ran == ["build", "plain", "test"])
    #expect(try await run().ran == ["plain"])
  }

  @Test("A deleted output reruns its job; a changed command or env value reruns; --force reruns all")
  func whatElseReruns() async throws {
    _ = try await run()
    try FileManager.default.removeItem(at: directory.url.appendingPathComponent("tested.txt"))
    #expect(try await run().ran == ["plain", "test"], "test's output was gone")

    let changed = Self.manifest(buildCommand: "cat src/deep/b.txt src/a.txt > out.txt")
    #expect(try await run(changed).ran == ["build", "plain", "test"], "a changed command")
    #expect(try await run(changed).ran == ["plain"])

    let otherEnv = Self.manifest(buildCommand: "cat src/deep/b.txt src/a.txt > out.txt", flag: "2")
    #expect(try await run(otherEnv).ran.contains("build"), "a changed env value")

    let forced = try await run(otherEnv, ["--force"])
    #expect(forced.ran == ["build", "plain", "test"])
    #expect(try await statuses().values.allSatisfy { $0 == "succeeded" })
    #expect(try await run(otherEnv, ["-B"]).ran == ["build", "plain", "test"])
  }

  @Test("A damaged cache is a warning and a full run, never a crash")
  func damagedCache() async throws {
    _ = try await run()
    let cache = state.appendingPathComponent("cache")
    try "{\"manifests\": [1, 2".write(
      to: cache.appendingPathComponent("fingerprints.json"), atomically: true, encoding: .utf8)
    try "\u{0}\u{1}garbage".write(
      to: cache.appendingPathComponent("files"), atomically: true, encoding: .utf8)
    let again = try await run()
    #expect(again.result.exitCode == 0, "\(again.result)")
    #expect(again.ran == ["build", "plain", "test"])
    #expect(
      again.result.stdout.contains("warning: ")
        && again.result.stdout.contains("fingerprints.json is damaged"))
    #expect(try await run().ran == ["plain"], "the records are whole again")
  }

  static let chain = """
    jobs:
      one: {run: 'echo one >> ran.txt'}
      two: {run: 'echo two >> ran.txt; test -f go', needs: [one]}
      three: {run: 'echo three >> ran.txt', needs: [two]}
      side: {run: 'echo side >> ran.txt'}
    """

  @Test("--resume after a failure in a chain runs the failed job and what follows only")
  func resumeAfterFailure() async throws {
    let failed = try await run(Self.chain, ["-k"])
    #expect(failed.result.exitCode == 1)
    #expect(Set(failed.ran) == ["one", "two", "side"])
    _ = try directory.write("go", "")
    let resumed = try await run(Self.chain, ["--resume"])
    #expect(resumed.result.exitCode == 0, "\(resumed.result)")
    #expect(resumed.ran == ["three", "two"])
    let files = try await RunFiles(latestIn: state)
    #expect(try files.jobStatus("one") == "up_to_date")
    #expect((try files.job("one")["reason"] as? String)?.hasPrefix("succeeded in run ") == true)
    // A named run: the failed one, whose `side` succeeded.
    let runs = try FileManager.default.contentsOfDirectory(atPath: state.appendingPathComponent("runs").path)
      .sorted()
    let named = try await run(Self.chain, ["--resume", runs[0]])
    #expect(named.ran == ["three", "two"])
  }

  @Test("--resume after Ctrl-C runs the cancelled jobs again")
  func resumeAfterInterrupt() async throws {
    _ = try directory.write("go", "")
    let slow = Self.chain.replacingOccurrences(
      of: "echo two >> ran.txt;", with: "echo two >> ran.txt; sleep 30;")
    let interrupted = try await run(slow, [], signals: [.init(SIGINT, after: .seconds(1))])
    #expect(interrupted.result.exitCode == 130, "\(interrupted.result)")
    #expect(try await statuses()["two"] == "cancelled")
    let resumed = try await run(Self.chain, ["--resume"])
    #expect(resumed.result.exitCode == 0, "\(resumed.result)")
    // At -j 1, one succeeded; two was cancelled; three and side never started.
    #expect(Set(resumed.ran) == ["two", "three", "side"] && resumed.ran.count == 3)
    #expect(try await statuses()["one"] == "up_to_date")
  }

  @Test("--from JOB runs exactly it and what follows it; the rest is carried over")
  func fromJob() async throws {
    _ = try directory.write("go", "")
    _ = try await run(Self.chain)
    let from = try await run(Self.chain, ["--from", "two"])
    #expect(from.ran == ["three", "two"])
    #expect(
      try await statuses() == [
        "one": "up_to_date", "two": "succeeded", "three": "succeeded", "side": "up_to_date",
      ])
  }

  @Test(
    "An unknown run or job is a usage error, exit 64, and nothing runs",
    arguments: [
      ["--resume", "20200101T000000.000Z-00000000"], ["--from", "tow"], ["--resume", "--force"],
    ])
  func unknownRunOrJob(_ arguments: [String]) async throws {
    _ = try directory.write("go", "")
    _ = try await run(Self.chain)
    let result = try await run(Self.chain, arguments)
    #expect(result.result.exitCode == 64, "\(result.result)")
    #expect(result.ran.isEmpty)
    if arguments[1] == "tow" { #expect(result.result.stderr.contains("did you mean 'two'?")) }
  }

  @Test("--dry-run says which jobs are up to date and how many would run, and writes nothing")
  func dryRun() async throws {
    _ = try await run()
    let before = try FileManager.default.contentsOfDirectory(
      atPath: state.appendingPathComponent("runs").path)
    let preview = try await run(Self.manifest(), ["--dry-run"])
    #expect(preview.ran.isEmpty)
    #expect(preview.result.stdout.contains("up to date: build: unchanged since run "))
    #expect(preview.result.stdout.contains("up to date: test: unchanged since run "))
    #expect(preview.result.stdout.contains("would run: 1 of 3 jobs"))
    _ = try directory.write("src/a.txt", "changed\n")
    let changed = try await run(Self.manifest(), ["--dry-run"])
    #expect(
      !changed.result.stdout.contains("up to date:"), "build changed, so test follows: \(changed.result)")
    #expect(!changed.result.stdout.contains("would run:"), "every job would run: the waves say it")
    #expect(
      try FileManager.default.contentsOfDirectory(atPath: state.appendingPathComponent("runs").path) == before
    )
  }
}
