/// `batchrun report --format text`: a table of jobs, the slowest ones, and the critical
/// path with its share of the wall time.
public enum TextReport {
  public static func render(_ report: JSON) -> String {
    let jobs = report["jobs"]?.arrayValue ?? []
    let wall = report["duration_seconds"]?.secondsValue ?? 0
    var out =
      "run \(report["run_id"]?.stringValue ?? "?") of '\(report["manifest"]?["name"]?.stringValue ?? "?")'"
    out += ": \(report["status"]?.stringValue ?? "?")"
    if let code = report["exit_code"]?.exitCodeValue { out += " (exit \(code))" }
    out += ", \(jobs.count) job\(jobs.count == 1 ? "" : "s") in \(seconds(wall))"
    out += " at -j \(report["concurrency"]?.intValue ?? 0)\n"
    out +=
      "started \(report["started_at"]?.stringValue ?? "?"), finished \(report["finished_at"]?.stringValue ?? "?")\n\n"

    let header = ["JOB", "STATUS", "DURATION", "ATTEMPTS", "EXIT"]
    let rows = jobs.map { job -> [String] in
      let exit = job["exit_code"]?.exitCodeValue.map(String.init) ?? job["signal"]?.stringValue ?? "-"
      let duration = job["duration_seconds"]?.secondsValue.map(seconds) ?? "-"
      return [
        job["id"]?.stringValue ?? "?", job["status"]?.stringValue ?? "?", duration,
        String(job["attempts"]?.arrayValue?.count ?? 0), exit,
      ]
    }
    out += table([header] + rows)

    let timed = jobs.compactMap { job in job["duration_seconds"]?.secondsValue.map { (job, $0) } }
    let slowest = timed.sorted { $0.1 > $1.1 }.prefix(5)
    if !slowest.isEmpty {
      out += "\nslowest:\n"
      for (job, duration) in slowest {
        out += "  \(seconds(duration))  \(job["id"]?.stringValue ?? "?")\n"
      }
    }
    let path = report["critical_path"]?["jobs"]?.arrayValue?.compactMap(\.stringValue) ?? []
    let pathSeconds = report["critical_path"]?["duration_seconds"]?.secondsValue ?? 0
    if !path.isEmpty {
      let share = CriticalPath.share(pathSeconds, ofWall: wall)
      out += "\ncritical path: \(path.joined(separator: " -> "))\n"
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
    ConsoleReporter.format(value)
  }
}
