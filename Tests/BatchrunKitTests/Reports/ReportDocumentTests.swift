@testable import BatchrunKit
import Testing

/// The typed report: written in pieces exactly as it renders whole, and read back the same.
@Suite("Report document")
struct ReportDocumentTests {
  /// The pieces `write(jobs:to:)` hands on, and what they add up to.
  static func pieces(of document: ReportDocument) -> [[UInt8]] {
    var pieces: [[UInt8]] = []
    let written = document.write(jobs: document.jobs) { piece in
      pieces.append(piece)
      return true
    }
    #expect(written)
    return pieces
  }

  @Test(
    "written a job at a time, the report is exactly its whole rendering",
    arguments: [0, 1, 3, 2000])
  func streamedEqualsWhole(jobs: Int) {
    let document = HTMLReportTests.poolReport(count: jobs, workers: 4, seed: UInt64(jobs))
    let pieces = Self.pieces(of: document)
    #expect(pieces.flatMap { $0 } == Array((document.json().rendered(pretty: true) + "\n").utf8))
    var compact: [UInt8] = []
    _ = document.write(jobs: document.jobs, pretty: false, leading: [("event", .string("x"))]) {
      compact += $0
      return true
    }
    let line =
      JSON.object([("event", .string("x"))]).rendered(pretty: false).dropLast()
      + "," + document.json().rendered(pretty: false).dropFirst() + "\n"
    #expect(compact == Array(line.utf8))
    // Big reports go in pieces of about 64 KiB, never as a whole.
    if jobs == 2000 {
      #expect(pieces.count > 10)
      #expect(pieces.dropLast().allSatisfy { $0.count >= 1 << 16 && $0.count < (1 << 16) + 8192 })
    }
  }

  @Test("a write that fails stops the rendering at once")
  func failedWriteStops() {
    let document = HTMLReportTests.poolReport(count: 2000, workers: 4, seed: 1)
    var calls = 0
    let written = document.write(jobs: document.jobs) { _ in
      calls += 1
      return false
    }
    #expect(!written)
    #expect(calls == 1)
  }

  @Test("the report of a real run reads back as written")
  func runReadsBack() async throws {
    let run = try await ReportSchemaTests.variedRun()
    let document = run.report.document
    var bytes: [UInt8] = []
    #expect(
      run.report.write { piece in
        bytes += piece
        return true
      })
    #expect(try ReportLoader.report(from: bytes) == document)
    #expect(document.jobs.count == run.plan.selected.count)
    #expect(document.summary?.total == document.jobs.count)
    for status in JobResult.Status.allCases {
      #expect(document.count(status) == run.report.count(status))
    }
  }

  @Test("a report without critical_path, or without its duration, reads back what it writes")
  func missingCriticalPathReadsBack() async throws {
    let run = try await ReportSchemaTests.variedRun()
    let full = run.report.document.json()
    guard case .object(let members) = full else {
      Issue.record("a report is not an object: \(full)")
      return
    }
    for json in [
      JSON.object(members.filter { $0.0 != "critical_path" }),
      full.setting("critical_path", .object([("jobs", .array([]))])),
    ] {
      let read = try ReportDocument(json: json)
      #expect(try ReportDocument(json: read.json()) == read)
      #expect(read.criticalPath?.jobs == [] && read.criticalPath?.seconds == 0)
    }
  }

  @Test("version 2 carries the executor, each job's resources and each attempt's host; version 1 still reads")
  func versions() async throws {
    let run = try await ReportSchemaTests.variedRun()
    let json = run.report.document.json()
    #expect(json["schema_version"] == .int(2))
    #expect(json["executor"] == .string("local"))
    let document = try ReportDocument(json: json)
    for job in document.jobs {
      #expect(job.resources?.cpus == 1 && job.resources?.memory == 0 && job.resources?.gpus == 0, "\(job.id)")
      #expect(job.matrix == nil && job.fingerprint == nil && job.pool == nil, "\(job.id)")
    }
    // FakeExecutor's attempts say where they ran.
    let attempts = document.jobs.flatMap(\.attempts)
    #expect(!attempts.isEmpty)
    let started = attempts.filter { $0.exitCode != 127 }
    #expect(!started.isEmpty && started.count < attempts.count, "the varied run has a job that cannot start")
    #expect(started.allSatisfy { $0.host == "fake" && $0.nativeID != nil })
    #expect(attempts.filter { $0.exitCode == 127 }.allSatisfy { $0.host == nil && $0.nativeID == nil })
    // A version 1 report (the fixtures are) reads, without the new fields.
    let old = try ReportDocument(json: JUnitReportTests.everyStatus)
    #expect(old.executor == nil)
    #expect(old.jobs.allSatisfy { $0.resources == nil && $0.attempts.allSatisfy { $0.host == nil } })
  }
}
