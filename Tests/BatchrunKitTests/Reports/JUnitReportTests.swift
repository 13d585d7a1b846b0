@testable import BatchrunKit
import Foundation
import FoundationXML
import Glibc
import TestSupport
import Testing

/// JUnit XML from reports: valid against `schemas/junit.xsd` by xmllint, and what a CI
/// system reads from it (counts, and which testcase has a failure, an error or a skip).
/// Serialized: dozens of xmllint processes at once would crowd the timing-sensitive tests.
@Suite(.serialized, .timeLimit(.minutes(1)))
struct JUnitReportTests {
  // MARK: - Reports built by hand

  /// A job of `report.json`, every field present as the report schema wants.
  static func job(
    _ id: String, _ status: String, exitCode: Int? = nil, signal: String? = nil, reason: String? = nil,
    allowFailure: Bool = false, duration: Double? = 1.5, attempts: Int = 1, argv: [String]? = nil,
    command: String = "make"
  ) -> JSON {
    let ran = status != "skipped" && attempts > 0
    let log: String? = ran ? (attempts > 1 ? "logs/\(id).attempt-\(attempts).log" : "logs/\(id).log") : nil
    let attemptList: [JSON] =
      ran
      ? (1...attempts).map { number in
        .object([
          ("attempt", .int(number)),
          ("status", .string(number == attempts ? status : "failed")),
          ("exit_code", number == attempts ? .int(exitCode) : .int(1)),
          ("signal", number == attempts ? .string(signal) : .null),
          ("started_at", .string("2026-11-27T04:45:14.123Z")),
          ("finished_at", .string("2026-11-27T04:45:15.623Z")),
          ("duration_seconds", .double(duration ?? 0)),
          ("log", .string(number > 1 ? "logs/\(id).attempt-\(number).log" : "logs/\(id).log")),
        ])
      } : []
    return .object([
      ("id", .string(id)),
      ("description", .null),
      ("command", argv == nil ? .string(command) : .null),
      ("argv", argv.map { .array($0.map(JSON.string)) } ?? .null),
      ("needs", .array([])),
      ("cwd", .string("/work")),
      ("status", .string(status)),
      ("allow_failure", .bool(allowFailure)),
      ("reason", .string(reason)),
      ("exit_code", .int(exitCode)),
      ("signal", .string(signal)),
      ("started_at", .string(ran ? "2026-11-27T04:45:14.123Z" : nil)),
      ("finished_at", .string(ran ? "2026-11-27T04:45:15.623Z" : nil)),
      ("duration_seconds", ran ? .double(duration) : .null),
      ("log", .string(log)),
      ("output_bytes", .int(ran ? 0 : nil)),
      ("attempts", .array(attemptList)),
    ])
  }

  /// A report around `jobs`, with a summary counted from their statuses.
  static func report(
    _ jobs: [JSON], name: String = "nightly", hostname: String = "ci-runner-7",
    status: String = "failed", exitCode: Int? = 1, startedAt: String = "2026-11-27T04:45:14.123Z"
  ) -> JSON {
    let statuses = jobs.compactMap { $0["status"]?.stringValue }
    func count(_ status: String) -> JSON { .int(statuses.filter { $0 == status }.count) }
    return .object([
      ("schema_version", .int(1)),
      ("tool", .object([("name", .string("batchrun")), ("version", .string("0.1.0"))])),
      ("run_id", .string("20261127T044514Z-0badcafe")),
      (
        "manifest",
        .object([
          ("path", .string("ci/\(name).yaml")), ("name", .string(name)),
          ("sha256", .string(String(repeating: "ab", count: 32))),
        ])
      ),
      ("status", .string(status)),
      ("exit_code", .int(exitCode)),
      ("started_at", .string(startedAt)),
      ("finished_at", .string("2026-11-27T04:45:17.123Z")),
      ("duration_seconds", .double(3)),
      ("concurrency", .int(2)),
      ("host", .object([("hostname", .string(hostname)), ("os", .string("Linux 6.1")), ("cpus", .int(2))])),
      (
        "summary",
        .object([
          ("total", .int(jobs.count)), ("succeeded", count("succeeded")), ("failed", count("failed")),
          ("timed_out", count("timed_out")), ("cancelled", count("cancelled")), ("skipped", count("skipped")),
        ])
      ),
      ("critical_path", .object([("jobs", .array([])), ("duration_seconds", .double(0))])),
      ("jobs", .array(jobs)),
    ])
  }

  /// One job of each kind CI tells apart.
  static let everyStatus = report([
    job("ok", "succeeded", exitCode: 0, duration: 0.25),
    job("bad", "failed", exitCode: 3, attempts: 2),
    job("missing", "failed", exitCode: 127, argv: ["/no/such", "--flag", "two words"]),
    job("crash", "failed", signal: "SIGSEGV"),
    job("slow", "timed_out", signal: "SIGKILL", duration: 10.5),
    job("after", "skipped", reason: "need 'bad' failed"),
    job("stopped", "cancelled", signal: "SIGTERM", reason: "stopped by --fail-fast after 'bad' failed"),
    job("lint", "failed", exitCode: 1, allowFailure: true),
    job("flaky", "timed_out", signal: "SIGTERM", allowFailure: true, duration: 0.2),
  ])

  @Test("a report with every status gives valid JUnit, with counts and elements as CI shows them")
  func everyStatus() async throws {
    // The hand-built report is a real report.
    #expect(try await SchemaValidator().errors(in: Self.everyStatus.rendered(pretty: true)) == [])
    let xml = JUnitReport.render(Self.everyStatus.document)
    try await XMLLint.expectValid(xml)
    let document = try JUnitDocument(xml)

    let expected = ["tests": "9", "failures": "2", "errors": "2", "skipped": "4", "time": "3.000"]
    for (name, value) in expected {
      #expect(document.root.attribute(name) == value, "testsuites \(name)")
      #expect(document.suite.attribute(name) == value, "testsuite \(name)")
    }
    #expect(document.root.attribute("name") == "batchrun")
    #expect(document.suite.attribute("name") == "nightly")
    #expect(document.suite.attribute("timestamp") == "2026-11-27T04:45:14")
    #expect(document.suite.attribute("hostname") == "ci-runner-7")
    #expect(
      document.properties == [
        "batchrun.run_id=20261127T044514Z-0badcafe", "batchrun.status=failed", "batchrun.exit_code=1",
        "batchrun.manifest=ci/nightly.yaml", "batchrun.version=0.1.0", "batchrun.allowed_failure=lint",
        "batchrun.allowed_failure=flaky",
      ])

    #expect(
      document.testcases.map { $0.attribute("name") }
        == Self.everyStatus["jobs"]?.arrayValue?.map { $0["id"]?.stringValue })
    #expect(document.testcases.allSatisfy { $0.attribute("classname") == "nightly" })
    #expect(
      document.outcomes == [
        "ok": "passed",
        "bad": "failure exit: exit 3",
        "missing": "failure exit: exit 127",
        "crash": "error signal: killed by SIGSEGV",
        "slow": "error timeout: timed out after 10.5s, ended by SIGKILL",
        "after": "skipped: need 'bad' failed",
        "stopped": "skipped: stopped by --fail-fast after 'bad' failed",
        "lint": "skipped: allowed to fail: exit 1",
        "flaky": "skipped: allowed to fail: timed out after 0.2s, ended by SIGTERM",
      ])
    #expect(document.testcase("ok")?.attribute("time") == "0.250")
    #expect(document.testcase("after")?.attribute("time") == "0.000", "never started")
    #expect(
      document.testcase("bad")?.child("failure")?.stringValue
        == "command: make\nattempts: 2\nlog: logs/bad.attempt-2.log")
    #expect(
      document.testcase("missing")?.child("failure")?.stringValue
        == "argv: /no/such --flag 'two words'\nlog: logs/missing.log")
    #expect(document.testcases.allSatisfy { $0.child("system-out") == nil }, "no run directory, no logs")
  }

  @Test("logs: the last 50 lines in system-out, escapes removed, only inside the run directory")
  func logTails() async throws {
    let directory = try ScratchDirectory()
    try directory.write("logs/long.log", (1...60).map { "line \($0)\n" }.joined())
    try directory.write(
      "logs/short.log",
      "\u{1B}[31mred\u{1B}[0m and \u{1B}]8;;https://x\u{1B}\\link\u{1B}]8;;\u{07} plain\nno newline at the end"
    )
    try directory.write("logs/empty.log", "")
    try directory.write("secret", "not a log\n")
    var outside = Self.job("outside", "failed", exitCode: 1)
    outside = outside.setting("log", .string("logs/../secret"))
    let report = Self.report([
      Self.job("long", "succeeded", exitCode: 0), Self.job("short", "failed", exitCode: 1),
      Self.job("empty", "succeeded", exitCode: 0), Self.job("gone", "failed", exitCode: 2), outside,
    ])
    let xml = JUnitReport.render(report.document, runDirectory: directory.path)
    try await XMLLint.expectValid(xml)
    let document = try JUnitDocument(xml)
    let long = try #require(document.testcase("long")?.child("system-out")?.stringValue)
    #expect(
      long == "[batchrun: earlier lines left out; the whole log is logs/long.log]\n"
        + (11...60).map { "line \($0)\n" }.joined())
    #expect(
      document.testcase("short")?.child("system-out")?.stringValue
        == "red and link plain\nno newline at the end\n")
    #expect(document.testcase("empty")?.child("system-out") == nil)
    #expect(document.testcase("gone")?.child("system-out") == nil, "a missing log (a copied report)")
    #expect(document.testcase("gone")?.child("failure") != nil)
    #expect(document.testcase("outside")?.child("system-out") == nil, "a log path leaving the run directory")
  }

  @Test("a huge log is read from its end only, and a cut line is said to be cut")
  func hugeLog() async throws {
    let directory = try ScratchDirectory()
    let longLine = String(repeating: "x", count: 200_000)
    try directory.write("logs/huge.log", "first\n" + longLine + "\nlast\n")
    let xml = JUnitReport.render(
      Self.report([Self.job("huge", "succeeded", exitCode: 0)]).document, runDirectory: directory.path)
    try await XMLLint.expectValid(xml)
    let out = try #require(try JUnitDocument(xml).testcase("huge")?.child("system-out")?.stringValue)
    #expect(out.hasPrefix("[batchrun: earlier lines left out; the whole log is logs/huge.log]\nxxx"))
    #expect(out.hasSuffix("x\nlast\n"))
    #expect(!out.contains("first"))
    #expect(out.utf8.count < 70_000)
  }

  // MARK: - Escaping

  /// Markup characters, quotes, whitespace, a control byte, U+FFFF, non-ASCII and bytes that are not UTF-8.
  static let nasty = "a<b>&c \"d\" 'e' ]]> \t|\n|\r| \u{01}\u{1B}x \u{FFFF} é 日本 🎉"
  /// What a parser must give back for ``nasty``: the forbidden characters as U+FFFD; the ESC
  /// is a forbidden control character outside logs.
  static let nastyParsed = "a<b>&c \"d\" 'e' ]]> \t|\n|\r| \u{FFFD}\u{FFFD}x \u{FFFD} é 日本 🎉"

  @Test("every text field is escaped: a parser reads back what the report says")
  func escaping() async throws {
    let directory = try ScratchDirectory()
    let id = "id" + Self.nasty
    try directory.write("logs/log.log", bytes: Array(("log " + Self.nasty + "\n").utf8) + [0xFF, 0xC3, 0x0A])
    var job = Self.job("x", "failed", exitCode: 1, reason: nil, command: "cmd " + Self.nasty)
    job = job.setting("id", .string(id)).setting("log", .string("logs/log.log"))
    let skipped = Self.job("y", "skipped", reason: "reason " + Self.nasty)
    let report = Self.report([job, skipped], name: "name" + Self.nasty, hostname: "host" + Self.nasty)
    let xml = JUnitReport.render(report.document, runDirectory: directory.path)
    try await XMLLint.expectValid(xml)
    #expect(!xml.contains("\u{01}") && !xml.contains("\u{1B}") && !xml.contains("\u{FFFF}"))

    let document = try JUnitDocument(xml)
    #expect(document.suite.attribute("name") == "name" + Self.nastyParsed)
    #expect(document.suite.attribute("hostname") == "host" + Self.nastyParsed)
    let testcase = try #require(document.testcases.first)
    #expect(testcase.attribute("name") == "id" + Self.nastyParsed)
    #expect(testcase.attribute("classname") == "name" + Self.nastyParsed)
    #expect(testcase.child("failure")?.stringValue == "command: cmd \(Self.nastyParsed)\nlog: logs/log.log")
    // In the log the escape sequence `ESC x` is removed; bytes that are not UTF-8 become U+FFFD.
    let log = "log a<b>&c \"d\" 'e' ]]> \t|\n|\r| \u{FFFD} \u{FFFD} é 日本 🎉\n\u{FFFD}\u{FFFD}\n"
    #expect(testcase.child("system-out")?.stringValue == log)
    #expect(document.testcases.last?.child("skipped")?.attribute("message") == "reason " + Self.nastyParsed)
  }

  // MARK: - Reports of real scheduler runs, and rebuilt ones

  @Test(
    "reports of the scheduler's runs give valid JUnit whose counts match the summary",
    arguments: ReportSchemaTests.Scenario.allCases)
  func schedulerRuns(scenario: ReportSchemaTests.Scenario) async throws {
    let run =
      switch scenario {
      case .varied: try await ReportSchemaTests.variedRun()
      case .failFast: try await ReportSchemaTests.failFastRun()
      case .interrupted: try await ReportSchemaTests.interruptedRun()
      }
    let json = run.report.document.json()
    let xml = JUnitReport.render(run.report.document)
    try await XMLLint.expectValid(xml)
    let document = try JUnitDocument(xml)
    let summary = try #require(json["summary"])
    let allowed =
      json["jobs"]?.arrayValue?.filter {
        $0["allow_failure"] == .bool(true) && ["failed", "timed_out"].contains($0["status"]?.stringValue)
      }.count ?? 0
    #expect(document.suite.attribute("tests") == summary["total"]?.intValue.map(String.init))
    let problems = (summary["failed"]?.intValue ?? 0) + (summary["timed_out"]?.intValue ?? 0) - allowed
    let failures = Int(document.suite.attribute("failures") ?? "") ?? -1
    let errors = Int(document.suite.attribute("errors") ?? "") ?? -1
    #expect(failures + errors == problems)
    let skips = (summary["skipped"]?.intValue ?? 0) + (summary["cancelled"]?.intValue ?? 0) + allowed
    #expect(document.suite.attribute("skipped") == String(skips))
    if scenario == .varied {
      #expect(document.outcomes["lint"] == "skipped: allowed to fail: exit 2")
      #expect(document.outcomes["crash"] == "error signal: killed by SIGSEGV")
      #expect(document.outcomes["missing"] == "failure exit: exit 127")
      #expect(document.outcomes["slow"]?.hasPrefix("error timeout: timed out after ") == true)
    }
  }

  @Test("an incomplete report rebuilt from a journal gives valid JUnit; unfinished jobs are skipped")
  func incompleteReport() async throws {
    let run = try await ReportSchemaTests.variedRun()
    let full = run.report.document.json()
    let harness = try SchedulerHarness(ReportSchemaTests.variedManifest)
    var start: [UInt8] = []
    _ = JournalReplay.writeStartRecord(
      of: harness.plan, runID: SchedulerHarness.runID, settings: harness.settings,
      startedAt: run.report.startedAt
    ) {
      start += $0
      return true
    }
    let lint = try #require(full["jobs"]?.arrayValue?.first { $0["id"] == .string("lint") })
    guard case .object(let members) = lint else {
      throw JUnitDocument.Failure(description: "lint is not an object")
    }
    let finished = JSON.object([("event", .string("job_finished"))] + members)
    let journal =
      String(decoding: start, as: UTF8.self) + finished.rendered(pretty: false) + "\n{\"event\": \"job_fin"
    let report = try JournalReplay.report(fromJournal: journal)
    #expect(report.status == .incomplete)

    let xml = JUnitReport.render(report)
    try await XMLLint.expectValid(xml)
    let document = try JUnitDocument(xml)
    #expect(document.suite.attribute("tests") == "11")
    #expect(document.suite.attribute("skipped") == "11")
    #expect(document.outcomes["lint"] == "skipped: allowed to fail: exit 2")
    #expect(document.outcomes["fetch"] == "skipped: " + JournalReplay.unfinishedReason)
    #expect(document.properties.contains("batchrun.status=incomplete"))
    #expect(
      !document.properties.contains { $0.hasPrefix("batchrun.exit_code=") },
      "an incomplete run has no exit code")
  }

  @Test("odd values: no timestamp unless it is a real UTC time, seconds with three decimals")
  func oddValues() async throws {
    for text in [
      "2026-13-01T00:00:00.000Z", "2026-02-30T00:00:00.000Z", "2026-11-27T04:45:14Z",
      "2026-11-27T04:45:14.123+01:00", "soon",
    ] {
      let xml = JUnitReport.render(
        Self.report([Self.job("a", "succeeded", exitCode: 0)], startedAt: text).document)
      try await XMLLint.expectValid(xml)
      #expect(try JUnitDocument(xml).suite.attribute("timestamp") == nil, "\(text)")
    }
    var job = Self.job("a", "succeeded", exitCode: 0).setting("duration_seconds", .double(0))
    var xml = JUnitReport.render(Self.report([job]).document)
    #expect(try JUnitDocument(xml).testcase("a")?.attribute("time") == "0.000")
    job = Self.job("a", "succeeded", exitCode: 0).setting("duration_seconds", .double(1234.5678))
    xml = JUnitReport.render(Self.report([job]).document)
    #expect(try JUnitDocument(xml).testcase("a")?.attribute("time") == "1234.568")
    // A status this version does not know is refused when the report is read.
    #expect(throws: ReportDocument.Problem.self) {
      try ReportDocument(json: Self.report([Self.job("a", "exploded")]))
    }
    // Nothing at all: still a valid document.
    xml = JUnitReport.render(ReportDocument())
    try await XMLLint.expectValid(xml)
  }

  @Test("the run directory of a report path: only a directory named after the run")
  func runDirectoryOfReport() throws {
    let scratch = try ScratchDirectory()
    let report = Self.report([]).document
    let runID = try #require(report.runID)
    let run = scratch.path + "/runs/" + runID
    try scratch.write("runs/\(runID)/report.json", "{}")
    try FileManager.default.createSymbolicLink(
      atPath: scratch.path + "/latest", withDestinationPath: "runs/" + runID)
    #expect(ReportLoader.runDirectory(of: report, at: run) == run)
    #expect(ReportLoader.runDirectory(of: report, at: run + "/report.json") == run)
    #expect(ReportLoader.runDirectory(of: report, at: scratch.path + "/latest") == scratch.path + "/latest")
    #expect(
      ReportLoader.runDirectory(of: report, at: scratch.path + "/latest/report.json") == scratch.path
        + "/latest")
    // A copy elsewhere, or another run's directory: no logs.
    try scratch.write("copy.json", "{}")
    #expect(ReportLoader.runDirectory(of: report, at: scratch.path + "/copy.json") == nil)
    var other = report
    other.runID = "other"
    #expect(ReportLoader.runDirectory(of: other, at: run) == nil)
    #expect(ReportLoader.runDirectory(of: ReportDocument(), at: run) == nil)
  }

  // MARK: - The check can fail

  struct Breakage: Sendable, CustomTestStringConvertible {
    var name: String
    var from: String
    var to: String
    /// Text xmllint's complaint must contain.
    var expected: String

    var testDescription: String { name }
  }

  static let breakages: [Breakage] = [
    Breakage(name: "a testcase without name", from: "name=\"bad\" ", to: "", expected: "'name' is required"),
    Breakage(
      name: "a failure without message", from: "<failure message=\"exit 3\" ", to: "<failure ",
      expected: "'message' is required"),
    Breakage(name: "an unknown failure type", from: "type=\"exit\"", to: "type=\"oops\"", expected: "type"),
    Breakage(name: "a time without decimals", from: "time=\"0.250\"", to: "time=\"0.25\"", expected: "time"),
    Breakage(name: "a negative time", from: "time=\"0.250\"", to: "time=\"-1.000\"", expected: "time"),
    Breakage(
      name: "a timestamp with a zone", from: "timestamp=\"2026-11-27T04:45:14\"",
      to: "timestamp=\"2026-11-27T04:45:14Z\"", expected: "timestamp"),
    Breakage(
      name: "two testcases of one name", from: "name=\"crash\"", to: "name=\"bad\"",
      expected: "uniqueTestcaseName"),
    Breakage(
      name: "failure and skipped in one testcase", from: "<skipped message=\"need 'bad' failed\"/>",
      to: "<failure message=\"x\" type=\"exit\"/><skipped message=\"y\"/>", expected: "skipped"),
    Breakage(name: "an unknown property", from: "batchrun.version", to: "version", expected: "property"),
    Breakage(
      name: "a second testsuite", from: "</testsuite>", to: "</testsuite><testsuite/>", expected: "testsuite"),
    Breakage(
      name: "a count that is not a number", from: "errors=\"2\"", to: "errors=\"two\"", expected: "errors"),
    Breakage(name: "not well-formed", from: "</testsuites>", to: "", expected: "testsuites"),
  ]

  @Test("xmllint rejects documents that break the schema", arguments: breakages)
  func brokenDocumentsAreRejected(breakage: Breakage) async throws {
    let xml = JUnitReport.render(Self.everyStatus.document)
    try await XMLLint.expectValid(xml)
    let range = try #require(xml.range(of: breakage.from), "'\(breakage.from)' is not in the document")
    let broken = xml.replacingCharacters(in: range, with: breakage.to)
    let result = try await XMLLint.check(broken)
    #expect(!result.valid, "xmllint accepted:\n\(broken)")
    #expect(result.messages.contains(breakage.expected), "\(result.messages)")
  }
}

// MARK: - Helpers

/// `xmllint --noout --schema schemas/junit.xsd` on XML text (`scripts/test` installs xmllint).
enum XMLLint {
  struct Failure: Error, CustomStringConvertible {
    var description: String
  }

  /// Whether xmllint found the document valid, and what it printed.
  static func check(_ xml: String, filePath: String = #filePath) async throws -> (
    valid: Bool, messages: String
  ) {
    guard let root = SchemaValidator.repositoryRoot(from: filePath) else {
      throw Failure(description: "no Package.swift above \(filePath)")
    }
    let schema = root.appendingPathComponent("schemas/junit.xsd").path
    let scratch = try ScratchDirectory()
    let document = try scratch.write("junit.xml", xml)
    let output = try scratch.write("output.txt", "")
    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
    defer { try? handle.close() }

    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["xmllint", "--noout", "--schema", schema, document]
    process.standardInput = FileHandle.nullDevice
    process.standardOutput = handle
    process.standardError = handle
    // Wait without blocking a thread of the concurrency pool (tests run in parallel).
    let status: Int32 = try await withCheckedThrowingContinuation { continuation in
      process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
      do {
        try process.run()
      } catch {
        process.terminationHandler = nil
        continuation.resume(throwing: Failure(description: "cannot run xmllint: \(error)"))
      }
    }
    let messages = try String(contentsOfFile: output, encoding: .utf8)
    if status == 127 {
      throw Failure(description: "xmllint is missing: install libxml2-utils (scripts/test does)")
    }
    if messages.contains("failed to compile") {
      throw Failure(description: "schemas/junit.xsd is broken:\n\(messages)")
    }
    return (status == 0, messages)
  }

  /// Records an issue with xmllint's messages and the document unless it is valid.
  static func expectValid(
    _ xml: String, sourceLocation: Testing.SourceLocation = #_sourceLocation
  ) async throws {
    let result = try await check(xml)
    #expect(result.valid, "xmllint: \(result.messages)\n\(xml)", sourceLocation: sourceLocation)
  }
}

/// A JUnit document as a parser (libxml2, through FoundationXML) reads it.
struct JUnitDocument {
  struct Failure: Error, CustomStringConvertible {
    var description: String
  }

  let root: XMLElement
  let suite: XMLElement

  init(_ xml: String) throws {
    let document = try XMLDocument(xmlString: xml, options: [])
    guard let root = document.rootElement(), root.name == "testsuites",
      let suite = root.elements(forName: "testsuite").first
    else { throw Failure(description: "no testsuites/testsuite in:\n\(xml)") }
    self.root = root
    self.suite = suite
  }

  var testcases: [XMLElement] { suite.elements(forName: "testcase") }

  func testcase(_ name: String) -> XMLElement? {
    testcases.first { $0.attribute("name") == name }
  }

  /// `name=value` of each property, in order.
  var properties: [String] {
    (suite.elements(forName: "properties").first?.elements(forName: "property") ?? []).map {
      "\($0.attribute("name") ?? "?")=\($0.attribute("value") ?? "?")"
    }
  }

  /// What CI shows per testcase: `passed`, `failure TYPE: MESSAGE`, `error TYPE: MESSAGE`
  /// or `skipped: MESSAGE`.
  var outcomes: [String: String] {
    var outcomes: [String: String] = [:]
    for testcase in testcases {
      let results = ["failure", "error", "skipped"].compactMap { name in
        testcase.child(name).map { (name, $0) }
      }
      let outcome =
        switch results.first {
        case nil: "passed"
        case ("skipped", let element)?: "skipped: \(element.attribute("message") ?? "?")"
        case (let name, let element)?:
          "\(name) \(element.attribute("type") ?? "?"): \(element.attribute("message") ?? "?")"
        }
      outcomes[testcase.attribute("name") ?? "?"] =
        results.count > 1 ? "several: \(results.map(\.0))" : outcome
    }
    return outcomes
  }
}

extension XMLElement {
  func attribute(_ name: String) -> String? { attribute(forName: name)?.stringValue }
  func child(_ name: String) -> XMLElement? { elements(forName: name).first }
}

/// A fresh directory under the system's temporary directory, removed when released.
final class ScratchDirectory: Sendable {
  let path: String

  init() throws {
    var template = Array((NSTemporaryDirectory() + "/junit-test.XXXXXX").utf8CString)
    guard let made = mkdtemp(&template) else { throw XMLLint.Failure(description: "mkdtemp failed") }
    path = String(cString: made)
  }

  deinit { try? FileManager.default.removeItem(atPath: path) }

  /// Writes `text` to `name` (which may include directories) and returns its path.
  @discardableResult
  func write(_ name: String, _ text: String) throws -> String {
    try write(name, bytes: Array(text.utf8))
  }

  @discardableResult
  func write(_ name: String, bytes: [UInt8]) throws -> String {
    let file = URL(fileURLWithPath: path).appendingPathComponent(name)
    try FileManager.default.createDirectory(
      at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
    try Data(bytes).write(to: file)
    return file.path
  }
}
