import Foundation
import Testing

/// A damaged `report.json` in the state directory: `run` does not read it and runs as
/// ever; `report` refuses it with exit 65 and the reason, in every format. Damaged recorded
/// durations (`cache/durations.json`): `run` warns once and orders jobs without them.
/// Neither ever traps. Serialized: a few hundred batchrun processes at once would crowd the
/// timing-sensitive tests.
@Suite("Damaged reports", .serialized)
struct DamagedReportTests {
  /// A damaged copy of a real report, and what the reason must say.
  struct Damage: Sendable, CustomTestStringConvertible {
    var name: String
    var reason: String
    var make: @Sendable (String) -> [UInt8]

    var testDescription: String { name }

    init(_ name: String, _ reason: String, _ make: @escaping @Sendable (String) -> [UInt8]) {
      self.name = name
      self.reason = reason
      self.make = make
    }

    /// The report with the first match of `pattern` replaced by `replacement`.
    init(_ name: String, _ reason: String, replacing pattern: String, with replacement: String) {
      self.init(name, reason) { text in
        Array(text.replacing(try! Regex(pattern), with: replacement, maxReplacements: 1).utf8)
      }
    }
  }

  static let number = #"-?[0-9][0-9.e+-]*"#

  static let damages: [Damage] = [
    Damage(
      "a lone surrogate", "a lone surrogate \\ud800 (followed by \\u0041, not a low surrogate)",
      replacing: #""succeeded""#, with: #""\ud800\u0041""#),
    Damage(
      "a lone low surrogate", "a lone surrogate \\udc00 (no high surrogate before it)",
      replacing: #""hello""#, with: #""\udc00""#),
    Damage(
      "1e300 seconds", "jobs[0].duration_seconds: expected a duration in seconds, from 0 to 1e12, got 1e+300",
      replacing: #""duration_seconds": \#(number),\n      "log""#,
      with: "\"duration_seconds\": 1e300,\n      \"log\""),
    Damage(
      "-1e300 seconds", "duration_seconds: expected a duration in seconds, from 0 to 1e12, got -1e+300",
      replacing: #""duration_seconds": \#(number)"#, with: #""duration_seconds": -1e300"#),
    Damage(
      "1e400 seconds", "the number 1e400 is out of range",
      replacing: #""duration_seconds": \#(number)"#, with: #""duration_seconds": 1e400"#),
    Damage(
      "1e20 as an exit code", "exit_code: expected a whole number from 0 to 255, got 1e+20",
      replacing: #""exit_code": 0"#, with: #""exit_code": 1e20"#),
    Damage(
      "an absurd exit code", "jobs[0].exit_code: expected a whole number from 0 to 255, got 4294967296",
      replacing: #""exit_code": 0,\n      "signal""#, with: "\"exit_code\": 4294967296,\n      \"signal\""),
    Damage(
      "a negative exit code", "exit_code: expected a whole number from 0 to 255, got -1",
      replacing: #""exit_code": 0"#, with: #""exit_code": -1"#),
    Damage(
      "NaN", "expected a value, found 'N'",
      replacing: #""duration_seconds": \#(number)"#, with: #""duration_seconds": NaN"#),
    Damage(
      "-Infinity", "expected a digit in a number, found 'I'",
      replacing: #""duration_seconds": \#(number)"#, with: #""duration_seconds": -Infinity"#),
    Damage(
      "NaN as a string", #"duration_seconds: expected a duration in seconds, from 0 to 1e12, got "NaN""#,
      replacing: #""duration_seconds": \#(number)"#, with: #""duration_seconds": "NaN""#),
    Damage(
      "a string for a number", #"concurrency: expected a whole number at least 1, got "2""#,
      replacing: #""concurrency": \#(number)"#, with: #""concurrency": "2""#),
    Damage("an object for the jobs array", "jobs: expected an array of jobs, got an object") { text in
      let start = text.range(of: "\n  \"jobs\": [")!.lowerBound
      return Array((text[..<start] + "\n  \"jobs\": {}\n}\n").utf8)
    },
    Damage(
      "an object for the attempts array", "jobs[0].attempts: expected an array, got an object",
      replacing: #""attempts": \["#, with: #""attempts": {"x": 1}, "more": ["#),
    Damage("an array for the report", "expected an object, got an array") { _ in Array("[]".utf8) },
    Damage("cut in half", "invalid JSON at byte") { text in Array(text.utf8.prefix(text.utf8.count / 2)) },
    Damage("cut in a string", "a string that does not end") { text in
      let cut = text.range(of: "\"run_id\": \"")!.upperBound
      return Array(text[..<cut].utf8) + Array("2026".utf8)
    },
    Damage("without its closing brace", "expected ',' or '}' in an object, found the end of the text") {
      text in
      Array(text.utf8.dropLast(2))
    },
    Damage("100,000 open brackets", "invalid JSON at byte 128: nested more than 128 levels deep") { _ in
      Array(repeating: UInt8(ascii: "["), count: 100_000)
    },
    Damage("100,000 nested arrays", "nested more than 128 levels deep") { _ in
      Array(repeating: UInt8(ascii: "["), count: 100_000)
        + Array(repeating: UInt8(ascii: "]"), count: 100_000)
    },
    Damage("an empty file", "the file is empty") { _ in [] },
    Damage("binary garbage", "invalid JSON at byte 0: expected a value, found byte 0x7F") { _ in
      var state: UInt32 = 0x1234_5678
      return [0x7F, 0x45, 0x4C, 0x46, 0x00, 0xFF, 0xFE]
        + (0..<4096).map { _ in
          state = state &* 1_103_515_245 &+ 12345
          return UInt8(truncatingIfNeeded: state >> 16)
        }
    },
  ]

  static let manifest = "jobs:\n  hello: {run: echo hello}\n  world: {run: echo world, needs: hello}\n"

  /// A real report of ``manifest``, made once by the built batchrun, for the cases to damage.
  static let realReport = Task<String, any Error> {
    let scratch = try TemporaryDirectory(prefix: "batchrun-damaged")
    try scratch.write("m.yaml", manifest)
    let result = try await BatchrunProcess.batchrun(["--state-dir", "state", "m.yaml"], in: scratch.url)
    guard result.exitCode == 0 else { throw BatchrunProcess.LaunchError(description: "\(result)") }
    return try String(contentsOfFile: scratch.path + "/state/latest/report.json", encoding: .utf8)
  }

  /// The name of the previous run that holds the damaged report; older than any real run.
  static let previousRun = "20260101T000000.000Z-0damaged"

  let directory: TemporaryDirectory
  var state: URL { directory.url.appendingPathComponent("state") }

  init() throws {
    directory = try TemporaryDirectory(prefix: "batchrun-damaged")
    try directory.write("m.yaml", Self.manifest)
  }

  /// Makes `state` hold a previous run whose `report.json` is `bytes`, `latest` pointing
  /// at it, and returns the report's path.
  @discardableResult
  func previousRun(reportBytes bytes: [UInt8]?) throws -> URL {
    let run = state.appendingPathComponent("runs/" + Self.previousRun)
    try FileManager.default.createDirectory(at: run, withIntermediateDirectories: true)
    try FileManager.default.createSymbolicLink(
      atPath: state.path + "/latest", withDestinationPath: "runs/" + Self.previousRun)
    let report = run.appendingPathComponent("report.json")
    if let bytes { try Data(bytes).write(to: report) }
    return report
  }

  /// Runs m.yaml into the state directory.
  func run() async throws -> BatchrunProcess.Result {
    let result = try await BatchrunProcess.batchrun(["--state-dir", state.path, "m.yaml"], in: directory.url)
    #expect(result.exitCode == 0, "\(result)")
    #expect(result.signal == nil, "\(result)")
    return result
  }

  @Test(
    "run: a damaged previous report costs nothing: no word, exit 0, a new valid report", arguments: damages)
  func runAfterADamagedReport(_ damage: Damage) async throws {
    let bytes = damage.make(try await Self.realReport.value)
    let damaged = try previousRun(reportBytes: bytes)

    let result = try await run()
    #expect(result.stderr == "", "\(damage.name): \(result)")
    let files = try await RunFiles(latestIn: state)
    #expect(files.directory.lastPathComponent != Self.previousRun)
    #expect(files.status == "succeeded")
    #expect(files.jobIDs == ["hello", "world"])
    #expect(try files.jobStatus("world") == "succeeded")
    #expect(try Data(contentsOf: damaged) == Data(bytes), "the damaged report is left alone")
  }

  @Test(
    "run: damaged recorded durations are one warning and exit 0; the run records them anew, and the next is quiet",
    arguments: [
      ("garbage", Array("\u{7F}ELF\u{0}".utf8)),
      ("100,000 open brackets", Array(repeating: UInt8(ascii: "["), count: 100_000)),
      ("an empty file", []), ("durations as an array", Array(#"{"version": 1, "manifests": []}"#.utf8)),
    ])
  func runAfterDamagedDurations(_ name: String, _ bytes: [UInt8]) async throws {
    let cache = state.appendingPathComponent("cache")
    try FileManager.default.createDirectory(at: cache, withIntermediateDirectories: true)
    let durations = cache.appendingPathComponent("durations.json")
    try Data(bytes).write(to: durations)

    let result = try await run()
    #expect(
      result.stderr == "batchrun: warning: cannot use \(durations.path): it is damaged;"
        + " jobs are ordered without their durations\n", "\(name): \(result)")
    let recorded = try JSONSerialization.jsonObject(with: Data(contentsOf: durations)) as? [String: Any]
    let manifests = recorded?["manifests"] as? [String: [String: Double]]
    #expect(
      manifests?[directory.url.appendingPathComponent("m.yaml").path]?.keys.sorted() == ["hello", "world"],
      "\(name): \(String(describing: recorded))")
    #expect(try await run().stderr == "", "\(name)")
  }

  @Test("run: no warning when the last run left no report (it was killed)")
  func runAfterARunWithoutAReport() async throws {
    try previousRun(reportBytes: nil)
    let result = try await run()
    #expect(result.stderr == "", "\(result)")
  }

  @Test(
    "report: exit 65 and the reason, in every format, for the run directory, its report.json and latest",
    arguments: damages)
  func reportOfADamagedReport(_ damage: Damage) async throws {
    let report = try previousRun(reportBytes: damage.make(try await Self.realReport.value))
    let run = report.deletingLastPathComponent().path
    for (arguments, path, format) in [
      ([run], report.path, "text"), ([run], report.path, "html"), ([report.path], report.path, "junit"),
      (["--state-dir", state.path], state.path + "/latest/report.json", "json"),
    ] {
      let result = try await BatchrunProcess.batchrun(
        ["report"] + arguments + ["--format", format], in: directory.url)
      #expect(result.exitCode == 65, "\(damage.name), \(format): \(result)")
      #expect(result.signal == nil, "\(damage.name), \(format): \(result)")
      #expect(result.stdout == "")
      #expect(result.stderrLines.count == 1, "\(result)")
      #expect(
        result.stderr.hasPrefix("batchrun: error: \(path): not a valid report: "), "\(damage.name): \(result)"
      )
      #expect(result.stderr.contains(damage.reason), "\(damage.name): \(result)")
    }
  }

  @Test(
    "report: a damaged journal of a run without report.json is exit 65 with the reason",
    arguments: [
      ("", "the journal is empty"),
      ("\u{7F}ELF\u{0}\u{1}", "its first line: invalid JSON at byte 0: expected a value, found byte 0x7F"),
      (
        String(repeating: "[", count: 100_000),
        "its first line: invalid JSON at byte 128: nested more than 128"
      ),
      (
        #"{"event":"run_started","run_id":"\ud800\u0041"}"#,
        "its first line: invalid JSON at byte 33: a lone surrogate"
      ),
      (#"{"event":"job_finished"}"#, "the journal does not start with a run_started record"),
      (
        #"{"event":"run_started","schema_version":1,"jobs":{}}"#,
        "its run_started record: jobs: expected an array of jobs, got an object"
      ),
      (
        #"{"event":"run_started","schema_version":1,"jobs":[],"duration_seconds":1e300}"#,
        "its run_started record: duration_seconds: expected a duration"
      ),
    ])
  func reportOfADamagedJournal(_ journal: String, _ reason: String) async throws {
    let run = try previousRun(reportBytes: nil).deletingLastPathComponent()
    try Data(journal.utf8).write(to: run.appendingPathComponent("events.jsonl"))
    for format in ["text", "html", "junit", "json"] {
      let result = try await BatchrunProcess.batchrun(
        ["report", run.path, "--format", format], in: directory.url)
      #expect(result.exitCode == 65, "\(format): \(result)")
      #expect(result.stderrLines.count == 1, "\(result)")
      #expect(
        result.stderr.hasPrefix(
          "batchrun: error: \(run.path)/events.jsonl: not a valid journal: \(reason)"), "\(result)")
      #expect(result.stdout == "")
    }
  }

  @Test("report: a missing report or run directory is exit 66")
  func reportOfNothing() async throws {
    let result = try await BatchrunProcess.batchrun(["report", "--state-dir", state.path], in: directory.url)
    #expect(result.exitCode == 66, "\(result)")
    #expect(result.stderr == "batchrun: error: \(state.path)/latest: no such report or run directory\n")
  }
}
