import Foundation
import FoundationXML
import TestSupport
import Testing

/// `batchrun run --junit PATH` and `batchrun report --format junit`: the XML is valid
/// against `schemas/junit.xsd` (checked by xmllint) and says what CI systems should show.
/// Serialized, so as not to crowd the timing-sensitive tests with processes.
@Suite("JUnit XML", .serialized)
struct JUnitEndToEndTests {
  let directory: TemporaryDirectory

  init() throws {
    directory = try TemporaryDirectory(prefix: "batchrun-junit")
  }

  var state: URL { directory.url.appendingPathComponent(".batchrun") }
  var junit: URL { directory.url.appendingPathComponent("out.xml") }

  /// Writes `manifest` as `m.yaml` and runs `batchrun` on it with `arguments` first.
  func run(
    _ manifest: String, _ arguments: [String]
  ) async throws -> BatchrunProcess.Result {
    try directory.write("m.yaml", manifest)
    return try await BatchrunProcess.batchrun(arguments + ["m.yaml"], in: directory.url)
  }

  /// A job of each status CI tells apart: passed, failure, error (timeout), skipped, allowed failure.
  static let mixed = """
    name: ci-jobs
    jobs:
      ok: {run: 'echo "hello <&> \\"there\\""'}
      bad: {run: 'for i in $(seq 1 60); do echo line $i; done; exit 3'}
      slow: {run: 'echo waiting; sleep 30', timeout: 200ms}
      after: {run: 'true', needs: bad}
      lint: {run: 'echo style; exit 1', allow-failure: true}
    """

  @Test func runWritesJUnitThatValidatesAndShowsEachJobsOutcome() async throws {
    let result = try await run(Self.mixed, ["-k", "--kill-grace", "300ms", "--junit", "out.xml"])
    #expect(result.exitCode == 1, "\(result)")
    #expect(result.stderr.isEmpty, "no warning about --junit: \(result.stderr)")
    try await Self.expectValid(junit)

    let files = try await RunFiles(latestIn: state)
    let xml = try JUnit(contentsOf: junit)
    #expect(xml.suite("tests") == "5")
    #expect(xml.suite("failures") == "1")
    #expect(xml.suite("errors") == "1")
    #expect(xml.suite("skipped") == "2")
    #expect(xml.root("failures") == "1")
    #expect(xml.suite("name") == "ci-jobs")
    #expect(xml.suite("hostname") == (files.report["host"] as? [String: Any])?["hostname"] as? String)
    let startedAt = try #require(files.report["started_at"] as? String)
    #expect(xml.suite("timestamp") == String(startedAt.prefix(19)))
    #expect(xml.strings("/testsuites/testsuite/testcase/@name") == ["ok", "bad", "slow", "after", "lint"])
    #expect(xml.strings("//testcase[@name='bad']/failure/@message") == ["exit 3"])
    #expect(xml.strings("//testcase[@name='slow']/error/@type") == ["timeout"])
    #expect(
      xml.strings("//testcase[@name='slow']/error/@message").first?.hasPrefix("timed out after ") == true)
    #expect(xml.strings("//testcase[@name='after']/skipped/@message") == ["need 'bad' failed"])
    #expect(xml.strings("//testcase[@name='lint']/skipped/@message") == ["allowed to fail: exit 1"])
    #expect(xml.strings("//property[@name='batchrun.allowed_failure']/@value") == ["lint"])
    #expect(xml.strings("//testcase[@name='ok']/failure | //testcase[@name='ok']/error").isEmpty)
    #expect(xml.strings("//testcase[@name='ok']/skipped").isEmpty)
    #expect(xml.strings("//testcase[@name='ok']/system-out") == ["hello <&> \"there\"\n"])
    #expect(xml.strings("//testcase[@name='lint']/system-out") == ["style\n"])
    let bad = try #require(xml.strings("//testcase[@name='bad']/system-out").first)
    #expect(bad.hasSuffix("line 11\nline 12\n" + (13...60).map { "line \($0)\n" }.joined()))
    #expect(!bad.contains("line 10\n"), "the last 50 lines only")
    #expect(xml.strings("//testcase[@name='after']/system-out").isEmpty, "a skipped job has no log")

    // `report` on the run directory, on its report.json, and on the latest run gives the same XML.
    let written = try String(contentsOf: junit, encoding: .utf8)
    for arguments in [
      [files.directory.path], [files.directory.appendingPathComponent("report.json").path],
      ["--state-dir", state.path],
    ] {
      let report = try await BatchrunProcess.batchrun(
        ["report", "--format", "junit"] + arguments, in: directory.url)
      #expect(report.exitCode == 0, "\(report)")
      #expect(report.stdout == written, "report --format junit \(arguments)")
    }
  }

  @Test func aCopiedReportHasNoLogsRatherThanWrongOnes() async throws {
    let result = try await run(Self.mixed, ["-k", "--kill-grace", "300ms", "--report", "copy.json"])
    #expect(result.exitCode == 1, "\(result)")
    // Beside the copy, a file where the run directory has the job's log.
    try directory.write("logs/bad.log", "not the job's log\n")
    let report = try await BatchrunProcess.batchrun(
      ["report", "--format", "junit", "copy.json"], in: directory.url)
    #expect(report.exitCode == 0, "\(report)")
    #expect(!report.stdout.contains("not the job's log"))
    #expect(!report.stdout.contains("<system-out>"))
    #expect(report.stdout.contains("<failure message=\"exit 3\" type=\"exit\">"))
  }

  @Test func reportOnARunWithoutReportJSONUsesTheJournal() async throws {
    let result = try await run(Self.mixed, ["-k", "--kill-grace", "300ms"])
    #expect(result.exitCode == 1, "\(result)")
    let files = try await RunFiles(latestIn: state)
    try FileManager.default.removeItem(at: files.directory.appendingPathComponent("report.json"))
    let report = try await BatchrunProcess.batchrun(
      ["report", "--format", "junit", files.directory.path], in: directory.url)
    #expect(report.exitCode == 0, "\(report)")
    try directory.write("rebuilt.xml", report.stdout)
    let rebuilt = directory.url.appendingPathComponent("rebuilt.xml")
    try await Self.expectValid(rebuilt)
    let xml = try JUnit(contentsOf: rebuilt)
    #expect(xml.strings("//property[@name='batchrun.status']/@value") == ["incomplete"])
    #expect(xml.strings("//testcase[@name='bad']/failure/@message") == ["exit 3"])
    #expect(xml.strings("//testcase[@name='slow']/error/@type") == ["timeout"])
    #expect(xml.strings("//testcase[@name='bad']/system-out").first?.hasSuffix("line 60\n") == true)
  }

  @Test func anInterruptedRunStillWritesJUnit() async throws {
    // The job interrupts batchrun itself (its parent), so the signal comes once it runs.
    let result = try await run(
      "jobs:\n  sleeper: {run: 'kill -INT $PPID; sleep 30'}\n  later: {run: 'true', needs: sleeper}\n",
      ["--kill-grace", "300ms", "--junit", "out.xml"])
    #expect(result.exitCode == 130, "\(result)")
    try await Self.expectValid(junit)
    let xml = try JUnit(contentsOf: junit)
    #expect(xml.suite("skipped") == "2")
    #expect(
      xml.strings("//testcase[@name='sleeper']/skipped/@message").first?.hasPrefix("interrupted by SIG")
        == true)
    #expect(xml.strings("//property[@name='batchrun.exit_code']/@value") == ["130"])
  }

  @Test func aJUnitFileThatCannotBeWrittenIsBatchrunsOwnFailure() async throws {
    let result = try await run("jobs:\n  ok: {run: 'true'}\n", ["--junit", "no/such/dir/out.xml"])
    #expect(result.exitCode == 70, "\(result)")
    #expect(result.stderr == "batchrun: error: cannot write no/such/dir/out.xml: No such file or directory\n")
    let files = try await RunFiles(latestIn: state)
    #expect(files.status == "succeeded", "the jobs ran and the report was written")
  }

  @Test func dryRunWritesNoJUnit() async throws {
    let result = try await run("jobs:\n  ok: {run: 'true'}\n", ["-n", "--junit", "out.xml"])
    #expect(result.exitCode == 0, "\(result)")
    #expect(!FileManager.default.fileExists(atPath: junit.path))
  }

  @Test func theSchemaCheckCanFail() async throws {
    let result = try await run(Self.mixed, ["-k", "--kill-grace", "300ms", "--junit", "out.xml"])
    #expect(result.exitCode == 1, "\(result)")
    let written = try String(contentsOf: junit, encoding: .utf8)
    let broken = written.replacingOccurrences(of: "name=\"bad\" ", with: "")
    #expect(broken != written)
    try directory.write("broken.xml", broken)
    let check = try await Self.xmllint(directory.url.appendingPathComponent("broken.xml"))
    #expect(check.exitCode != 0)
    #expect(check.stderr.contains("The attribute 'name' is required but missing"), "\(check)")
  }

  // MARK: - Helpers

  /// `xmllint --noout --schema schemas/junit.xsd FILE` (`scripts/test` installs xmllint).
  static func xmllint(_ file: URL, filePath: String = #filePath) async throws -> BatchrunProcess.Result {
    let root = try #require(SchemaValidator.repositoryRoot(from: filePath))
    let schema = root.appendingPathComponent("schemas/junit.xsd").path
    let result = try await BatchrunProcess.run(
      URL(fileURLWithPath: "/usr/bin/env"), ["xmllint", "--noout", "--schema", schema, file.path])
    if result.exitCode == 127 {
      Issue.record("xmllint is missing: install libxml2-utils (scripts/test does)")
    }
    return result
  }

  static func expectValid(_ file: URL, sourceLocation: SourceLocation = #_sourceLocation) async throws {
    let result = try await xmllint(file)
    let text = (try? String(contentsOf: file, encoding: .utf8)) ?? "(unreadable)"
    #expect(result.exitCode == 0, "xmllint: \(result.stderr)\n\(text)", sourceLocation: sourceLocation)
  }

  /// A JUnit file as a parser reads it, queried with XPath.
  struct JUnit {
    let document: XMLDocument

    init(contentsOf url: URL) throws {
      document = try XMLDocument(contentsOf: url, options: [])
    }

    /// The string values of the nodes `query` selects.
    func strings(_ query: String) -> [String] {
      do {
        return try document.nodes(forXPath: query).map { $0.stringValue ?? "" }
      } catch {
        Issue.record("XPath \(query) failed: \(error)")
        return []
      }
    }

    func root(_ attribute: String) -> String? { strings("/testsuites/@\(attribute)").first }
    func suite(_ attribute: String) -> String? { strings("/testsuites/testsuite/@\(attribute)").first }
  }
}
