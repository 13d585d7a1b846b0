@testable import BatchrunKit
import Foundation
import Testing

/// Reading reports back cannot trap: the report check, the loader, the journal replay,
/// the renderers and the prior durations, on crafted and damaged reports (the JSON parser
/// has ``JSONParserTests``).
@Suite("Report reader")
struct ReportReaderTests {
  /// A real report's shape: every status, retries, a critical path.
  static let sample = JUnitReportTests.everyStatus.setting(
    "critical_path",
    .object([("jobs", .array([.string("ok"), .string("bad")])), ("duration_seconds", .double(1.75))]))

  @Test("durations and exit codes are read only in their ranges")
  func checkedValues() throws {
    func duration(_ value: JSON) -> Double?? {
      (try? ReportDocument(json: Self.sample.setting("duration_seconds", value))).map(\.durationSeconds)
    }
    func exitCode(_ value: JSON) -> Int?? {
      (try? ReportDocument(json: Self.sample.setting("exit_code", value))).map(\.exitCode)
    }
    #expect(duration(.double(1.5)) == 1.5)
    #expect(duration(.int(0)) == 0)
    #expect(duration(.double(1e12)) == 1e12)
    #expect(duration(.null) == .some(nil), "null is no duration, and no damage")
    for bad: JSON in [
      .double(1e20), .double(1e300), .double(-1e300), .double(-0.001), .double(.nan), .double(.infinity),
      .string("1"),
    ] {
      #expect(duration(bad) == nil, "\(bad.rendered(pretty: false))")
    }
    #expect(exitCode(.int(0)) == 0)
    #expect(exitCode(.int(255)) == 255)
    for bad: JSON in [.int(256), .int(-1), .int(Int.max), .double(1e20), .double(3.5), .string("3")] {
      #expect(exitCode(bad) == nil, "\(bad.rendered(pretty: false))")
    }
  }

  // MARK: - The report check

  @Test("a report as batchrun writes it passes the check")
  func validReport() throws {
    let sample = try ReportDocument(json: Self.sample)
    _ = try ReportDocument(json: JUnitReportTests.report([]))
    #expect(try ReportLoader.report(from: Self.sample.bytes(pretty: true)) == sample)
    // What the document writes, it reads back the same.
    #expect(try ReportDocument(json: sample.json()) == sample)
    #expect(
      sample.jobs.map(\.status) == [
        .succeeded, .failed, .failed, .failed, .timedOut, .skipped, .cancelled, .failed, .timedOut,
      ])
  }

  /// Damaged reports and the problem the check names.
  static let damaged: [(String, JSON, String)] = [
    ("top level", .array([]), "expected an object, got an array"),
    ("top level", .string("report"), "expected an object"),
    (
      "version", sample.setting("schema_version", .int(3)),
      "schema_version: expected schema version 1 or 2, got 3"
    ),
    (
      "no version", .object([("jobs", .array([]))]),
      "schema_version: expected schema version 1 or 2, got nothing"
    ),
    ("no jobs", sample.setting("jobs", .null), "jobs: expected an array of jobs, got null"),
    ("jobs object", sample.setting("jobs", .object([])), "jobs: expected an array of jobs, got an object"),
    (
      "job string", sample.setting("jobs", .array([.string("ok")])),
      #"jobs[0]: expected a job (an object), got "ok""#
    ),
    (
      "wall 1e300", sample.setting("duration_seconds", .double(1e300)),
      "duration_seconds: expected a duration in seconds, from 0 to 1e12, got 1e+300"
    ),
    (
      "wall -1e300", sample.setting("duration_seconds", .double(-1e300)),
      "duration_seconds: expected a duration"
    ),
    ("wall 1e20", sample.setting("duration_seconds", .double(1e20)), "duration_seconds: expected a duration"),
    (
      "wall NaN", sample.setting("duration_seconds", .string("NaN")),
      #"duration_seconds: expected a duration in seconds, from 0 to 1e12, got "NaN""#
    ),
    (
      "exit 1e20", sample.setting("exit_code", .double(1e20)),
      "exit_code: expected a whole number from 0 to 255, got 1e+20"
    ),
    (
      "exit 256", sample.setting("exit_code", .int(256)),
      "exit_code: expected a whole number from 0 to 255, got 256"
    ),
    ("exit -1", sample.setting("exit_code", .int(-1)), "exit_code: expected a whole number from 0 to 255"),
    ("exit string", sample.setting("exit_code", .string("1")), "exit_code: expected a whole number"),
    (
      "concurrency 0", sample.setting("concurrency", .int(0)),
      "concurrency: expected a whole number at least 1, got 0"
    ),
    (
      "concurrency 1.5", sample.setting("concurrency", .double(1.5)),
      "concurrency: expected a whole number at least 1"
    ),
    ("run id", sample.setting("run_id", .int(7)), "run_id: expected a string, got 7"),
    ("host", sample.setting("host", .array([])), "host: expected an object, got an array"),
    (
      "cpus", sample.setting("host", .object([("cpus", .double(1e300))])),
      "host.cpus: expected a whole number at least 1"
    ),
    (
      "summary", sample.setting("summary", .object([("failed", .int(-1))])),
      "summary.failed: expected a whole number at least 0"
    ),
    (
      "path jobs", sample.setting("critical_path", .object([("jobs", .object([]))])),
      "critical_path.jobs: expected an array"
    ),
    (
      "path job", sample.setting("critical_path", .object([("jobs", .array([.int(1)]))])),
      "critical_path.jobs[0]: expected a string"
    ),
    (
      "path seconds", sample.setting("critical_path", .object([("duration_seconds", .double(-1e300))])),
      "critical_path.duration_seconds: expected a duration"
    ),
    ("tool", sample.setting("tool", .string("batchrun")), "tool: expected an object"),
  ]

  static func editingJob(_ index: Int, _ key: String, _ value: JSON) -> JSON {
    sample.editing(["jobs", .index(index), .key(key)]) { $0 = value }
  }

  static let damagedJobs: [(String, JSON, String)] = [
    (
      "duration 1e300", editingJob(1, "duration_seconds", .double(1e300)),
      "jobs[1].duration_seconds: expected a duration"
    ),
    (
      "duration -1e300", editingJob(1, "duration_seconds", .double(-1e300)),
      "jobs[1].duration_seconds: expected a duration"
    ),
    (
      "duration NaN", editingJob(0, "duration_seconds", .string("NaN")),
      #"jobs[0].duration_seconds: expected a duration in seconds, from 0 to 1e12, got "NaN""#
    ),
    (
      "duration -0.5", editingJob(0, "duration_seconds", .double(-0.5)),
      "jobs[0].duration_seconds: expected a duration"
    ),
    (
      "exit 1e300", editingJob(1, "exit_code", .double(1e300)),
      "jobs[1].exit_code: expected a whole number from 0 to 255, got 1e+300"
    ),
    (
      "exit huge", editingJob(1, "exit_code", .int(Int.max)),
      "jobs[1].exit_code: expected a whole number from 0 to 255"
    ),
    (
      "exit negative", editingJob(1, "exit_code", .int(-3)),
      "jobs[1].exit_code: expected a whole number from 0 to 255"
    ),
    ("id", editingJob(0, "id", .array([])), "jobs[0].id: expected a string, got an array"),
    ("needs", editingJob(0, "needs", .string("build")), "jobs[0].needs: expected an array"),
    ("needs item", editingJob(0, "needs", .array([.null])), "jobs[0].needs[0]: expected a string, got null"),
    ("argv", editingJob(2, "argv", .object([])), "jobs[2].argv: expected an array"),
    (
      "allow failure", editingJob(0, "allow_failure", .string("yes")),
      "jobs[0].allow_failure: expected true or false"
    ),
    (
      "output bytes", editingJob(0, "output_bytes", .double(-1)),
      "jobs[0].output_bytes: expected a whole number at least 0"
    ),
    (
      "attempts", editingJob(0, "attempts", .object([])), "jobs[0].attempts: expected an array, got an object"
    ),
    (
      "attempt", editingJob(0, "attempts", .array([.int(1)])),
      "jobs[0].attempts[0]: expected an attempt (an object), got 1"
    ),
    (
      "attempt duration",
      sample.editing(["jobs", 1, "attempts", 1, "duration_seconds"]) { $0 = .double(1e300) },
      "jobs[1].attempts[1].duration_seconds: expected a duration"
    ),
    (
      "attempt number", sample.editing(["jobs", 1, "attempts", 0, "attempt"]) { $0 = .int(0) },
      "jobs[1].attempts[0].attempt: expected a whole number at least 1, got 0"
    ),
    (
      "attempt exit", sample.editing(["jobs", 1, "attempts", 0, "exit_code"]) { $0 = .double(1e20) },
      "jobs[1].attempts[0].exit_code: expected a whole number from 0 to 255"
    ),
  ]

  @Test("a damaged report is refused at the first problem, named by its path")
  func damagedReports() throws {
    for (name, report, expected) in Self.damaged + Self.damagedJobs {
      do {
        _ = try ReportDocument(json: report)
        Issue.record("\(name): was read")
      } catch {
        #expect(error.description.hasPrefix(expected), "\(name): \(error)")
      }
    }
  }

  @Test("bytes become a report, or a problem that says why")
  func reportFromBytes() throws {
    func problem(_ bytes: [UInt8]) -> String? {
      do {
        _ = try ReportLoader.report(from: bytes)
        return nil
      } catch {
        return error.description
      }
    }
    #expect(problem([]) == "the file is empty")
    #expect(problem(Array(" \n".utf8)) == "the file is empty")
    #expect(
      problem([0x00, 0xFF, 0x13, 0x37])?.hasPrefix("invalid JSON at byte 0: expected a value, found byte 0x0")
        == true)
    #expect(problem(Array("[]".utf8)) == "expected an object, got an array")
    #expect(
      problem(Array(#"{"schema_version":1,"jobs":[{"id":"\ud800\u0041"}]}"#.utf8))?.contains("lone surrogate")
        == true)
  }

  // MARK: - Readers

  /// Every format `batchrun report` has: none may trap.
  static func renderEverything(_ report: ReportDocument) {
    _ = TextReport.render(report)
    _ = HTMLReport.render(report, runDirectory: nil)
    _ = JUnitReport.render(report, runDirectory: nil)
    _ = report.json().rendered(pretty: true)
    _ = Timeline(report: report)
  }

  @Test("mangled reports are read or refused, and whatever parses renders, never a trap")
  func mangled() {
    var random = HTMLReportTests.SplitMix64(state: 0xBAD)
    let report = Self.sample.bytes(pretty: false)
    for _ in 0..<300 {
      var bytes = report
      for _ in 0..<1 + Int(random.next() % 4) {
        bytes[Int(random.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: random.next())
      }
      if let checked = try? ReportLoader.report(from: bytes) { Self.renderEverything(checked) }
    }
  }

  @Test("numbers at the edges of their ranges render, never trap")
  func readersTakeEdgeNumbers() throws {
    var report = Self.sample.setting("duration_seconds", .double(1e-300))
      .setting(
        "critical_path", .object([("jobs", .array([.string("ok")])), ("duration_seconds", .double(1e12))])
      )
      .setting("exit_code", .int(255)).setting("concurrency", .int(Int.max))
    report = report.editing(["jobs", 0, "duration_seconds"]) { $0 = .double(1e12) }
    report = report.editing(["jobs", 1, "duration_seconds"]) { $0 = .double(0) }
    report = report.editing(["jobs", 4, "attempts", 0, "duration_seconds"]) { $0 = .double(1e12) }
    let document = try ReportDocument(json: report)
    Self.renderEverything(document)
    let text = TextReport.render(document)
    #expect(text.contains("critical path: ok\n"), "\(text)")
    #expect(text.contains("(exit 255)"))
    #expect(PriorDurations(report: document)?.seconds == ["ok": 1e12])
  }

  @Test("the critical path of damaged needs: cycles and indices out of range are left out")
  func criticalPathOfDamagedNeeds() throws {
    let cycle = CriticalPath.heaviest(needs: [[1], [0]], durations: [1, 2])
    #expect(cycle.jobs == [0, 1] || cycle.jobs == [1, 0])
    #expect(cycle.seconds == 3)
    #expect(CriticalPath.heaviest(needs: [[0]], durations: [1]).jobs == [0])
    #expect(CriticalPath.heaviest(needs: [[5, -1]], durations: [1]).jobs == [0])
    #expect(CriticalPath.heaviest(needs: [], durations: [1, 2]).jobs == [1])
    // A journal whose jobs need each other.
    let jobs = try ["a", "b", "c"].map { id in
      try ReportDocument.Job(
        json: .object([
          ("id", .string(id)), ("status", .string("succeeded")),
          ("needs", .array(["a", "b", "c"].map(JSON.string))), ("duration_seconds", .double(1)),
        ]))
    }
    let path = JournalReplay.criticalPath(jobs)
    #expect(path.jobs.count == 3)
    #expect(path.seconds == 3)
  }

  @Test("the path's share of the wall time is whole percent, for any numbers")
  func share() {
    #expect(CriticalPath.share(1.75, ofWall: 3) == 58)
    #expect(CriticalPath.share(1, ofWall: 0) == 0)
    #expect(CriticalPath.share(1e12, ofWall: 1e-300) == 0)
    #expect(CriticalPath.share(1e12, ofWall: 1e-3) == 1_000_000_000)
    #expect(CriticalPath.share(-5, ofWall: 1) == 0)
    #expect(CriticalPath.share(.nan, ofWall: 1) == 0)
  }

  // MARK: - Journals

  static func journal(_ start: JSON, _ events: [JSON]) -> String {
    let record = start.setting("event", .string("run_started"))
    return ([record] + events).map { $0.rendered(pretty: false) }.joined(separator: "\n") + "\n"
  }

  @Test("a journal whose first record is damaged is refused with the reason")
  func damagedJournalStart() throws {
    let sample = Self.sample.setting("status", .string("incomplete"))
    for (text, expected) in [
      ("", "the journal is empty"),
      ("{\"event\":\"run_started\",\"x\":\"\\ud800\"}\n", "its first line: invalid JSON"),
      ("[]\n", "the journal does not start with a run_started record"),
      (
        Self.journal(sample.setting("jobs", .object([])), []),
        "its run_started record: jobs: expected an array"
      ),
      (
        Self.journal(sample.setting("duration_seconds", .double(1e300)), []),
        "its run_started record: duration_seconds: expected a duration"
      ),
    ] {
      do {
        _ = try JournalReplay.report(fromJournal: text)
        Issue.record("\(text) replayed")
      } catch {
        #expect(error.description.hasPrefix(expected), "\(error)")
      }
    }
  }

  @Test("damaged job records in a journal are skipped, like a line cut short")
  func damagedJournalRecords() throws {
    let start = Self.sample.setting("status", .string("incomplete"))
    let ok = JUnitReportTests.job("ok", "succeeded", exitCode: 0, duration: 0.5).setting(
      "event", .string("job_finished"))
    let text =
      Self.journal(
        start,
        [
          ok.setting("duration_seconds", .double(1e300)),
          ok.setting("exit_code", .double(1e20)),
          ok.setting("attempts", .object([])),
          .object([("event", .string("job_finished")), ("id", .string("\u{0}"))]),
          .array([]),
        ]) + "{\"event\":\"job_finished\",\"id\":\"ok\",\"duration_seconds\":1e400}\n"
      + "{\"event\":\"job_finished\",\"id\":\"ok\",\"du"
    let report = try JournalReplay.report(fromJournal: text)
    #expect(report.jobs.first?.durationSeconds == 0.25, "the start record's job stays")
    // A sound record after damaged ones is used.
    let mended = try JournalReplay.report(fromJournal: text + "\n" + ok.rendered(pretty: false) + "\n")
    #expect(mended.jobs.first?.durationSeconds == 0.5)
    #expect(mended.summary?.counts[.succeeded] == report.summary?.counts[.succeeded])
  }

  // MARK: - Files

  @Test("the loader tells a missing report, an unreadable one and one that is not a report apart")
  func loaderFailures() throws {
    let scratch = try ScratchDirectory()
    func failure(_ path: String) -> ReportLoader.Failure? {
      do {
        _ = try ReportLoader.load(path)
        return nil
      } catch {
        return error
      }
    }
    let missing = try #require(failure(scratch.path + "/nothing"))
    #expect(missing.kind == .missing && missing.exitCode == 66, "\(missing)")
    let empty = try scratch.write("empty.json", bytes: [])
    let emptyFailure = try #require(failure(empty))
    #expect(emptyFailure.kind == .invalid && emptyFailure.exitCode == 65)
    #expect(emptyFailure.description == "\(empty): not a valid report: the file is empty")
    let surrogate = try scratch.write(
      "s.json", bytes: Array(#"{"schema_version":1,"jobs":[],"run_id":"\ud800\u0041"}"#.utf8))
    let surrogateFailure = try #require(failure(surrogate))
    #expect(
      surrogateFailure.description.hasPrefix(
        "\(surrogate): not a valid report: invalid JSON at byte 40: a lone surrogate \\ud800"),
      "\(surrogateFailure)")
    try FileManager.default.createDirectory(atPath: scratch.path + "/run", withIntermediateDirectories: true)
    let bare = try #require(failure(scratch.path + "/run"))
    #expect(bare.kind == .unreadable && bare.exitCode == 66, "\(bare)")
    try scratch.write("run/events.jsonl", bytes: Array("garbage\n".utf8))
    let journal = try #require(failure(scratch.path + "/run"))
    #expect(journal.kind == .invalid && journal.path == scratch.path + "/run/events.jsonl", "\(journal)")
    #expect(
      journal.reason.hasPrefix("not a valid journal: its first line: invalid JSON at byte 0"), "\(journal)")
  }
}
