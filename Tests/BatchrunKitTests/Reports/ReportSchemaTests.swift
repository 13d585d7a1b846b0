@testable import BatchrunKit
import Foundation
import Glibc
import TestSupport
import Testing

/// Reports from real runs of the scheduler validate against `schemas/report.schema.json`
/// (docs/report.md), and the check is shown able to fail.
@Suite(.timeLimit(.minutes(1)))
struct ReportSchemaTests {
  /// Every status, retries, allow-failure, argv jobs, signals, a job that could not start.
  static let variedManifest = """
    name: varied
    env: {LANG: C.UTF-8}
    jobs:
      fetch:
        description: Fetch the data
        run: ./fetch.sh > data.json
        retries: 2
      build:
        run: |
          make -j2 all
        needs: fetch
        cwd: src
      lint:
        argv: [swiftlint, --strict]
        allow-failure: true
      test:
        run: make test
        needs: [build]
      slow:
        run: sleep 100
        timeout: 60ms
      crash:
        argv: [./crash, --now]
      missing:
        argv: [/no/such/program]
      deploy:
        run: ./deploy
        needs: [test, slow]
      cleanup:
        run: rm -rf tmp
        needs: [deploy]
        when: always
      notify:
        run: ./notify
        needs: [slow, lint]
        when: on-failure
      quiet:
        run: ./quiet
        needs: [test]
        when: on-failure
    """

  static func variedRun() async throws -> FinishedRun {
    let executor = FakeExecutor([
      "fetch": [.exits(1).writing(10), .killed(by: SIGKILL), .exits(0).writing(1234)],
      "lint": [.exits(2).writing(99)],
      "slow": [.hangs],
      "crash": [.killed(by: SIGSEGV)],
      "missing": [.failsToStart("/no/such/program: No such file or directory")],
    ])
    let harness = try SchedulerHarness(
      variedManifest, settings: RunSettings(concurrency: 3, failurePolicy: .keepGoing), executor: executor)
    return await harness.run()
  }

  /// --fail-fast stops a running job; the rest is skipped.
  static func failFastRun() async throws -> FinishedRun {
    let yaml = """
      jobs:
        bad: {run: 'false'}
        long: {argv: [sleep, '100']}
        after: {run: 'true', needs: long}
      """
    let executor = FakeExecutor([
      "bad": [.exits(1).waiting(forStartOf: "long")],
      "long": [.hangs],
    ])
    let harness = try SchedulerHarness(
      yaml, settings: RunSettings(concurrency: 2, failurePolicy: .failFast), executor: executor)
    return await harness.run()
  }

  /// SIGINT: running and unstarted jobs cancelled.
  static func interruptedRun() async throws -> FinishedRun {
    let yaml = """
      jobs:
        a: {run: 'sleep 100', retries: 2}
        b: {run: 'true', needs: a}
        c: {run: 'true'}
      """
    let executor = FakeExecutor(["a": [.hangs]])
    let harness = try SchedulerHarness(yaml, settings: RunSettings(concurrency: 1), executor: executor)
    async let finished = harness.run()
    await executor.waitUntil { $0.started("a") }
    harness.scheduler.interrupt(signal: SIGINT)
    return await finished
  }

  enum Scenario: String, CaseIterable, Sendable {
    case varied
    case failFast
    case interrupted
  }

  @Test("reports of the scheduler's runs validate against the schema", arguments: Scenario.allCases)
  func reportsValidate(scenario: Scenario) async throws {
    let run =
      switch scenario {
      case .varied: try await Self.variedRun()
      case .failFast: try await Self.failFastRun()
      case .interrupted: try await Self.interruptedRun()
      }
    let text = run.report.document.json().rendered(pretty: true)
    let errors = try await SchemaValidator().errors(in: text)
    #expect(errors == [], "\(text)")
  }

  @Test("the varied run covers every job status, and its report says what happened")
  func variedRunContents() async throws {
    let run = try await Self.variedRun()
    #expect(
      run.statuses == [
        "fetch": .succeeded, "build": .succeeded, "lint": .failed, "test": .succeeded, "slow": .timedOut,
        "crash": .failed, "missing": .failed, "deploy": .skipped, "cleanup": .succeeded,
        "notify": .succeeded, "quiet": .skipped,
      ])
    let json = run.report.document.json()
    let jobs = try #require(json["jobs"]?.arrayValue)
    #expect(jobs.map { $0["id"]?.stringValue } == run.plan.manifest.jobs.map(\.id), "manifest order")
    #expect(json["status"] == .string("failed"))
    #expect(json["exit_code"] == .int(1))
    #expect(json["run_id"] == .string(SchedulerHarness.runID))
    #expect(json["manifest"]?["name"] == .string("varied"))
    #expect(json["manifest"]?["path"] == .string(SchedulerHarness.manifestPath))
    #expect(json["concurrency"] == .int(3))
    #expect(
      json["summary"]
        == .object([
          ("total", .int(11)), ("succeeded", .int(5)), ("failed", .int(3)), ("timed_out", .int(1)),
          ("cancelled", .int(0)), ("skipped", .int(2)), ("up_to_date", .int(0)),
        ]))

    func job(_ id: String) -> JSON { jobs.first { $0["id"]?.stringValue == id } ?? .null }
    #expect(job("fetch")["description"] == .string("Fetch the data"))
    #expect(job("fetch")["command"] == .string("./fetch.sh > data.json"))
    #expect(job("fetch")["argv"] == .null)
    #expect(job("fetch")["attempts"]?.arrayValue?.map { $0["attempt"] } == [.int(1), .int(2), .int(3)])
    #expect(
      job("fetch")["attempts"]?.arrayValue?.map { $0["status"] }
        == [.string("failed"), .string("failed"), .string("succeeded")])
    #expect(job("fetch")["attempts"]?.value(at: 1, "signal") == .string("SIGKILL"))
    #expect(job("fetch")["attempts"]?.value(at: 1, "exit_code") == .null)
    #expect(job("fetch")["log"] == .string("logs/fetch.attempt-3.log"), "the last attempt's log")
    #expect(job("fetch")["output_bytes"] == .int(1234), "the last attempt's output")
    #expect(job("build")["cwd"] == .string("/tmp/batchrun-tests/src"))
    #expect(job("build")["needs"] == .array([.string("fetch")]))
    #expect(job("lint")["command"] == .null)
    #expect(job("lint")["argv"] == .array([.string("swiftlint"), .string("--strict")]))
    #expect(job("lint")["allow_failure"] == .bool(true))
    #expect(job("lint")["exit_code"] == .int(2))
    #expect(job("slow")["status"] == .string("timed_out"))
    #expect(job("slow")["signal"] == .string("SIGTERM"))
    #expect(job("slow")["exit_code"] == .null)
    #expect(job("crash")["signal"] == .string("SIGSEGV"))
    #expect(job("missing")["status"] == .string("failed"))
    for skipped in ["deploy", "quiet"] {
      let entry = job(skipped)
      #expect(entry["status"] == .string("skipped"))
      #expect(entry["reason"]?.stringValue != nil)
      for field in ["exit_code", "signal", "started_at", "finished_at", "log"] {
        #expect(entry[field] == .null, "\(skipped).\(field)")
      }
      #expect(entry["attempts"] == .array([]))
    }
    for entry in jobs where entry["status"] != .string("skipped") {
      let attempts = entry["attempts"]?.arrayValue ?? []
      #expect(entry["reason"] == .null, "\(entry["id"]!)")
      #expect(entry["started_at"] == attempts.first?["started_at"], "\(entry["id"]!)")
      #expect(entry["finished_at"] == attempts.last?["finished_at"], "\(entry["id"]!)")
      #expect(entry["log"] == attempts.last?["log"], "\(entry["id"]!)")
      #expect(entry["exit_code"] == attempts.last?["exit_code"], "\(entry["id"]!)")
      #expect(entry["signal"] == attempts.last?["signal"], "\(entry["id"]!)")
    }
    #expect(!json.rendered(pretty: false).contains("C.UTF-8"), "environment values are not written")
  }

  @Test("a report written by a real run (RunSession, local processes) validates")
  func realRunValidates() async throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("report-schema-\(UUID())")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let manifestPath = directory.appendingPathComponent("real.yaml").path
    let yaml = """
      jobs:
        hello: {run: 'echo hello'}
        argv: {argv: [/bin/echo, one, two], needs: hello}
        fails: {run: 'exit 3', allow-failure: true}
        killed: {run: 'kill -9 $$', retries: 1}
        slow: {run: 'sleep 5', timeout: 200ms}
        after: {run: 'true', needs: slow}
      """
    try Data(yaml.utf8).write(to: URL(fileURLWithPath: manifestPath))
    let manifest = try ManifestLoader.load(path: manifestPath)
    let plan = try Plan(manifest: manifest)
    let settings = RunSettings(concurrency: 3, failurePolicy: .keepGoing, killGrace: .milliseconds(300))
    let session = try RunSession(
      plan: plan, options: .init(settings: settings, console: .quiet), executor: LocalProcessExecutor(),
      output: ClosureConsoleSink { _ in })
    let report = try await session.run()
    #expect(report.exitCode == 1)
    let text = try String(contentsOfFile: session.reportPath, encoding: .utf8)
    let errors = try await SchemaValidator().errors(in: text)
    #expect(errors == [], "\(text)")
    #expect(text.contains("\"signal\": \"SIGKILL\""))
  }

  // MARK: - The check can fail

  /// A small report to break: `a` succeeded (run), `b` failed (argv), `c` skipped.
  static func baseReport() async throws -> JSON {
    let yaml = """
      jobs:
        a: {run: 'true'}
        b: {argv: [/bin/false], needs: a}
        c: {run: 'true', needs: b}
      """
    let harness = try SchedulerHarness(yaml, executor: FakeExecutor(["b": [.exits(1)]]))
    return await harness.run().report.document.json()
  }

  struct Breakage: Sendable, CustomTestStringConvertible {
    var name: String
    var change: @Sendable (JSON) -> JSON
    /// Text some error line must contain: the field's path or name.
    var expected: String

    var testDescription: String { name }
  }

  static let breakages: [Breakage] = [
    // A field removed.
    Breakage(
      name: "no run_id", change: { $0.removing("run_id") }, expected: "'run_id' is a required property"),
    Breakage(name: "no tool.version", change: { $0.removing("tool", "version") }, expected: "'version'"),
    Breakage(
      name: "no manifest.sha256", change: { $0.removing("manifest", "sha256") }, expected: "'sha256'"),
    Breakage(
      name: "no summary.skipped", change: { $0.removing("summary", "skipped") }, expected: "'skipped'"),
    Breakage(name: "no critical_path", change: { $0.removing("critical_path") }, expected: "'critical_path'"),
    Breakage(name: "no host.cpus", change: { $0.removing("host", "cpus") }, expected: "'cpus'"),
    Breakage(
      name: "no job exit_code", change: { $0.removing("jobs", 0, "exit_code") }, expected: "'exit_code'"),
    Breakage(
      name: "no job signal (null)", change: { $0.removing("jobs", 2, "signal") }, expected: "'signal'"),
    Breakage(name: "no job argv", change: { $0.removing("jobs", 0, "argv") }, expected: "'argv'"),
    Breakage(
      name: "no attempt log", change: { $0.removing("jobs", 0, "attempts", 0, "log") }, expected: "'log'"),
    Breakage(
      name: "no attempt number", change: { $0.removing("jobs", 1, "attempts", 0, "attempt") },
      expected: "'attempt'"),
    // A type or value wrong.
    Breakage(
      name: "exit_code a string", change: { $0.setting("exit_code", to: .string("0")) },
      expected: "$.exit_code"),
    Breakage(name: "no executor (version 2)", change: { $0.removing("executor") }, expected: "'executor'"),
    Breakage(
      name: "executor unknown", change: { $0.setting("executor", to: .string("kubernetes")) },
      expected: "$.executor"),
    Breakage(
      name: "schema_version 3", change: { $0.setting("schema_version", to: .int(3)) },
      expected: "$.schema_version"),
    Breakage(
      name: "unknown run status", change: { $0.setting("status", to: .string("ok")) }, expected: "$.status"),
    Breakage(
      name: "unknown job status", change: { $0.setting("jobs", 0, "status", to: .string("passed")) },
      expected: "$.jobs[0].status"),
    Breakage(
      name: "attempt skipped",
      change: { $0.setting("jobs", 0, "attempts", 0, "status", to: .string("skipped")) },
      expected: "$.jobs[0].attempts[0].status"),
    Breakage(
      name: "job exit_code not an integer", change: { $0.setting("jobs", 1, "exit_code", to: .double(1.5)) },
      expected: "$.jobs[1].exit_code"),
    Breakage(
      name: "signal without SIG", change: { $0.setting("jobs", 1, "signal", to: .string("KILL")) },
      expected: "$.jobs[1].signal"),
    Breakage(
      name: "signal a number", change: { $0.setting("jobs", 1, "attempts", 0, "signal", to: .int(9)) },
      expected: "$.jobs[1].attempts[0].signal"),
    Breakage(
      name: "timestamp without milliseconds",
      change: { $0.setting("started_at", to: .string("2026-11-27T04:45:14Z")) }, expected: "$.started_at"),
    Breakage(
      name: "timestamp not UTC",
      change: { $0.setting("jobs", 0, "finished_at", to: .string("2026-11-27T04:45:14.123+01:00")) },
      expected: "$.jobs[0].finished_at"),
    Breakage(
      name: "sha256 not hex", change: { $0.setting("manifest", "sha256", to: .string("ABC")) },
      expected: "$.manifest.sha256"),
    Breakage(
      name: "negative duration", change: { $0.setting("duration_seconds", to: .double(-1)) },
      expected: "$.duration_seconds"),
    Breakage(
      name: "argv a string", change: { $0.setting("jobs", 1, "argv", to: .string("/bin/false")) },
      expected: "$.jobs[1].argv"),
    Breakage(
      name: "both command and argv", change: { $0.setting("jobs", 0, "argv", to: .array([.string("true")])) },
      expected: "$.jobs[0]"),
    Breakage(
      name: "neither command nor argv", change: { $0.setting("jobs", 0, "command", to: .null) },
      expected: "$.jobs[0]"),
    Breakage(
      name: "exit_code and signal both", change: { $0.setting("jobs", 0, "signal", to: .string("SIGTERM")) },
      expected: "$.jobs[0]"),
    Breakage(
      name: "needs null", change: { $0.setting("jobs", 1, "needs", to: .null) }, expected: "$.jobs[1].needs"),
    Breakage(
      name: "allow_failure a string",
      change: { $0.setting("jobs", 0, "allow_failure", to: .string("false")) },
      expected: "$.jobs[0].allow_failure"),
    Breakage(
      name: "attempt 0", change: { $0.setting("jobs", 0, "attempts", 0, "attempt", to: .int(0)) },
      expected: "$.jobs[0].attempts[0].attempt"),
    Breakage(
      name: "log outside logs/", change: { $0.setting("jobs", 0, "log", to: .string("/tmp/a.log")) },
      expected: "$.jobs[0].log"),
    Breakage(
      name: "critical path id a number",
      change: { $0.setting("critical_path", "jobs", to: .array([.int(1)])) },
      expected: "$.critical_path.jobs[0]"),
    // A field added.
    Breakage(
      name: "extra top-level field", change: { $0.setting("extra", to: .int(1)) }, expected: "'extra'"),
    Breakage(
      name: "extra tool field", change: { $0.setting("tool", "extra", to: .null) }, expected: "'extra'"),
    Breakage(
      name: "extra summary field", change: { $0.setting("summary", "running", to: .int(0)) },
      expected: "'running'"),
    Breakage(
      name: "extra job field", change: { $0.setting("jobs", 2, "env", to: .object([])) }, expected: "'env'"),
    Breakage(
      name: "extra attempt field", change: { $0.setting("jobs", 0, "attempts", 0, "pid", to: .int(42)) },
      expected: "'pid'"),
  ]

  @Test("the check fails when a field is removed, has the wrong type, or is added", arguments: breakages)
  func breakagesAreCaught(breakage: Breakage) async throws {
    let base = try await Self.baseReport()
    let validator = try SchemaValidator()
    #expect(
      try await validator.errors(in: base.rendered(pretty: false)) == [], "the unbroken report is valid")
    let broken = breakage.change(base)
    #expect(broken != base, "the change did something")
    let errors = try await validator.errors(in: broken.rendered(pretty: false))
    #expect(!errors.isEmpty)
    #expect(errors.contains { $0.contains(breakage.expected) }, "\(errors)")
  }

  @Test("text that is not JSON is an error, not a pass")
  func notJSON() async throws {
    let errors = try await SchemaValidator().errors(in: "{\"schema_version\": 1,")
    #expect(errors.count == 1)
    #expect(errors.first?.hasPrefix("$: not JSON") == true)
  }

  @Test("the validator finds the schema from its own path")
  func locatesSchema() throws {
    let validator = try SchemaValidator()
    #expect(validator.schemaPath.hasSuffix("/schemas/report.schema.json"))
    #expect(throws: SchemaValidator.Failure.self) { try SchemaValidator(schema: "no-such.schema.json") }
  }
}
