/// Rebuilds a report from a run's journal (`events.jsonl`) when `report.json` is missing,
/// as after a batchrun killed with SIGKILL: status `incomplete`, the jobs that finished
/// as they ended, the others as not finished.
public enum JournalReplay {
  /// The reason given to jobs that had not finished.
  static let unfinishedReason = "not finished: batchrun stopped before this job ended"

  /// Writes the journal's first line to `emit`, in pieces: the report of a run of `plan`
  /// as it starts, status `incomplete` and every selected job unfinished.
  ///
  /// - Returns: `false` as soon as `emit` does.
  static func writeStartRecord(
    of plan: Plan, runID: String, settings: RunSettings, startedAt: WallClock.Instant,
    to emit: ([UInt8]) -> Bool
  ) -> Bool {
    let unfinished = plan.selected.map { JobResult(index: $0, status: .cancelled, reason: unfinishedReason) }
    let start = RunReport(
      runID: runID, plan: plan, settings: settings, outcome: .init(results: unfinished, interruption: nil),
      startedAt: startedAt, finishedAt: startedAt)
    var header = start.header
    header.status = .incomplete
    header.exitCode = nil
    return header.write(
      jobs: start.jobs, pretty: false, leading: [("event", .string("run_started"))], to: emit)
  }

  /// Why a journal could not be replayed.
  public struct Failure: Error, CustomStringConvertible {
    public var description: String
  }

  /// The report rebuilt from the journal's text. Its first line must be a `run_started`
  /// record with a report's form (``ReportDocument/init(json:)``); a later line that is
  /// not a `job_finished` record with a job's form is skipped, like a line a crash cut short.
  public static func report(fromJournal text: String) throws(Failure) -> ReportDocument {
    var lines = text.split(separator: "\n").makeIterator()
    guard let first = lines.next() else { throw Failure(description: "the journal is empty") }
    let start: JSON
    do {
      start = try JSONParser.parse(String(first))
    } catch {
      throw Failure(description: "its first line: \(error)")
    }
    guard start["event"]?.stringValue == "run_started" else {
      throw Failure(description: "the journal does not start with a run_started record")
    }
    var report: ReportDocument
    do {
      report = try ReportDocument(json: start)
    } catch {
      throw Failure(description: "its run_started record: \(error)")
    }
    var position: [String: Int] = [:]
    for (index, job) in report.jobs.enumerated() { position[job.id] = index }
    var finishedAt = report.startedAt ?? ""
    // A line cut short by a crash does not parse: skip it.
    for line in lines {
      guard let event = try? JSONParser.parse(String(line)), event["event"]?.stringValue == "job_finished",
        let job = try? ReportDocument.Job(json: event), let index = position[job.id]
      else { continue }
      report.jobs[index] = job
      if let end = job.finishedAt, end > finishedAt { finishedAt = end }
    }
    report.summary = ReportDocument.summary(of: report.jobs.map(\.status))
    report.finishedAt = finishedAt
    report.durationSeconds = seconds(from: report.startedAt ?? finishedAt, to: finishedAt)
    report.criticalPath = criticalPath(report.jobs)
    return report
  }

  /// The heaviest chain of needs by `duration_seconds`, like ``RunReport/criticalPath``.
  static func criticalPath(_ jobs: [ReportDocument.Job]) -> ReportDocument.CriticalPathSummary {
    var index: [String: Int] = [:]
    for (position, job) in jobs.enumerated() { index[job.id] = position }
    let path = CriticalPath.heaviest(
      needs: jobs.map { $0.needs.compactMap { index[$0] } }, durations: jobs.map(\.durationSeconds))
    return .init(jobs: path.jobs.map { jobs[$0].id }, seconds: path.seconds)
  }

  /// Seconds between two RFC 3339 timestamps of the form batchrun writes.
  static func seconds(from start: String, to end: String) -> Double {
    guard let a = milliseconds(start), let b = milliseconds(end) else { return 0 }
    return Double(max(0, b - a)) / 1000
  }

  /// Milliseconds since the epoch of a timestamp batchrun wrote.
  static func milliseconds(_ text: String) -> Int64? {
    WallClock.Instant(rfc3339: text)?.millisecondsSinceEpoch
  }
}
