/// `batchrun report --format text`: a table of jobs, the slowest ones, and the critical
/// path with its share of the wall time.
public enum TextReport {
  public static func render(_ report: ReportDocument) -> String {
    let jobs = report.jobs
    let wall = report.durationSeconds ?? 0
    var out = "run \(report.runID ?? "?") of '\(report.manifest.name ?? "?")'"
    out += ": \(report.status?.rawValue ?? "?")"
    if let code = report.exitCode { out += " (exit \(code))" }
    out += ", \(jobs.count) job\(jobs.count == 1 ? "" : "s") in \(seconds(wall))"
    out += " at -j \(report.concurrency ?? 0)\n"
    out += "started \(report.startedAt ?? "?"), finished \(report.finishedAt ?? "?")\n\n"

    let header = ["JOB", "STATUS", "DURATION", "ATTEMPTS", "EXIT"]
    let rows = jobs.map { job -> [String] in
      [
        job.id, job.status.rawValue, job.durationSeconds.map(seconds) ?? "-", String(job.attempts.count),
        job.exitCode.map(String.init) ?? job.signal ?? "-",
      ]
    }
    out += table([header] + rows)

    let timed = jobs.compactMap { job in job.durationSeconds.map { (job, $0) } }
    let slowest = timed.sorted { $0.1 > $1.1 }.prefix(5)
    if !slowest.isEmpty {
      out += "\nslowest:\n"
      for (job, duration) in slowest {
        out += "  \(seconds(duration))  \(job.id)\n"
      }
    }
    if let path = report.criticalPath, !path.jobs.isEmpty {
      let pathSeconds = path.seconds ?? 0
      let share = CriticalPath.share(pathSeconds, ofWall: wall)
      out += "\ncritical path: \(path.jobs.joined(separator: " -> "))\n"
      out += "  \(seconds(pathSeconds)), \(share)% of the wall time\n"
    }
    return out
  }

  static func table(_ rows: [[String]]) -> String {
    let widths = rows[0].indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
    return rows.map { row in
      row.enumerated().map { column, cell in
        column == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[column] - cell.count)
      }.joined(separator: "  ")
    }.joined(separator: "\n") + "\n"
  }

  static func seconds(_ value: Double) -> String {
    DurationText.format(seconds: value)
  }
}
