/// Rebuilds a report from a run's journal (`events.jsonl`) when `report.json` is missing,
/// as after a batchrun killed with SIGKILL: status `incomplete`, the jobs that finished
/// as they ended, the others as not finished.
public enum JournalReplay {
  /// The reason given to jobs that had not finished.
  public static let unfinishedReason = "not finished: batchrun stopped before this job ended"

  /// The journal's first line: a report skeleton with every selected job unfinished.
  public static func startRecord(
    of plan: Plan, runID: String, settings: RunSettings, startedAt: WallClock.Instant, launches: LaunchFactory
  ) -> JSON {
    let unfinished = plan.selected.map { JobResult(index: $0, status: .cancelled, reason: unfinishedReason) }
    let skeleton = RunReport(
      runID: runID, plan: plan, settings: settings, outcome: .init(results: unfinished, interruption: nil),
      startedAt: startedAt, finishedAt: startedAt, launches: launches
    ).json()
    guard
      case .object(let members) = skeleton.setting("status", .string("incomplete")).setting(
        "exit_code", .null)
    else { return skeleton }
    return .object([("event", .string("run_started"))] + members)
  }

  /// Why a journal could not be replayed.
  public struct Failure: Error, CustomStringConvertible {
    public var description: String
  }

  /// The report rebuilt from the journal's text. Its first line must be a `run_started`
  /// record with a report's shape (``ReportCheck``); a later line that is not a
  /// `job_finished` record with a job's shape is skipped, like a line a crash cut short.
  public static func report(fromJournal text: String) throws(Failure) -> JSON {
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
    do {
      try ReportCheck.check(report: start)
    } catch {
      throw Failure(description: "its run_started record: \(error)")
    }
    var jobs = start["jobs"]?.arrayValue ?? []
    var position: [String: Int] = [:]
    for (index, job) in jobs.enumerated() {
      if let id = job["id"]?.stringValue { position[id] = index }
    }
    var finishedAt = start["started_at"]?.stringValue ?? ""
    // A line cut short by a crash does not parse: skip it.
    for line in lines {
      guard let event = try? JSONParser.parse(String(line)), event["event"]?.stringValue == "job_finished",
        (try? ReportCheck.check(job: event)) != nil, let id = event["id"]?.stringValue,
        let index = position[id], case .object(let members) = event
      else { continue }
      jobs[index] = .object(members.filter { $0.0 != "event" })
      if let end = event["finished_at"]?.stringValue, end > finishedAt { finishedAt = end }
    }
    var report = start
    if case .object(let members) = start { report = .object(members.filter { $0.0 != "event" }) }
    let statuses = jobs.compactMap { $0["status"]?.stringValue }
    let summary = JSON.object(
      [("total", .int(jobs.count))]
        + JobResult.Status.allCases.map { status in
          (status.rawValue, JSON.int(statuses.filter { $0 == status.rawValue }.count))
        })
    let started = start["started_at"]?.stringValue ?? finishedAt
    return report.setting("jobs", .array(jobs)).setting("summary", summary)
      .setting("finished_at", .string(finishedAt))
      .setting("duration_seconds", .double(seconds(from: started, to: finishedAt)))
      .setting("critical_path", criticalPath(jobs))
  }

  /// The heaviest chain of needs by `duration_seconds`, like ``RunReport/criticalPath``.
  public static func criticalPath(_ jobs: [JSON]) -> JSON {
    var index: [String: Int] = [:]
    for (position, job) in jobs.enumerated() {
      if let id = job["id"]?.stringValue { index[id] = position }
    }
    let needs = jobs.map {
      ($0["needs"]?.arrayValue ?? []).compactMap { $0.stringValue.flatMap { index[$0] } }
    }
    let path = CriticalPath.heaviest(
      needs: needs, durations: jobs.map { $0["duration_seconds"]?.secondsValue })
    return .object([
      ("jobs", .array(path.jobs.map { jobs[$0]["id"] ?? .null })),
      ("duration_seconds", .double(path.seconds)),
    ])
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
