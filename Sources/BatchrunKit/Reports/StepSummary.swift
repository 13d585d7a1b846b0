/// A run as the Markdown of a CI job's summary page (GitHub Actions'
/// `GITHUB_STEP_SUMMARY`): the status and counts, the failed jobs with the end of their
/// logs in collapsible blocks, the slowest jobs, and the critical path (docs/cli.md, "CI").
enum StepSummary {
  /// Jobs listed as the slowest.
  static let slowest = 5
  /// Lines of a failed job's log shown.
  static let logLines = 30

  /// The summary of `report`; logs are read from `runDirectory`.
  static func markdown(_ report: ReportDocument, runDirectory: String) -> String {
    let status = report.status?.rawValue ?? "incomplete"
    let mark = report.status == .succeeded ? "✅" : "❌"
    var out = "\n### \(mark) batchrun: \(status)"
    if let name = report.manifest.name ?? report.manifest.path { out += " — \(cell(name))" }
    out += "\n\n"
    let counts = JobResult.Status.allCases.compactMap { status -> String? in
      let count = report.jobs.lazy.filter { $0.status == status }.count
      return count > 0 ? "\(count) \(status.rawValue.replacing("_", with: " "))" : nil
    }
    out +=
      "**\(report.jobs.count) job\(report.jobs.count == 1 ? "" : "s")**: \(counts.joined(separator: ", "))"
    if let seconds = report.durationSeconds { out += " in \(DurationText.format(seconds: seconds))" }
    if let runID = report.runID { out += " · run `\(runID)`" }
    out += "\n\n"
    if let error = report.error { out += "> batchrun failed itself: \(cell(error))\n\n" }

    let failed = report.jobs.filter { $0.status.isFailure }
    if !failed.isEmpty {
      out += "#### Failed jobs\n\n| job | status | how | duration |\n|---|---|---|---:|\n"
      for job in failed {
        let status = job.allowFailure ? "\(job.status.rawValue) (allowed)" : job.status.rawValue
        out += "| `\(job.id)` | \(status) | \(cell(how(job))) | \(duration(job)) |\n"
      }
      out += "\n"
      for job in failed {
        let tail = job.log.map { JUnitReport.logTail($0, in: runDirectory, lines: logLines) } ?? ""
        out += "<details><summary><code>\(job.id)</code>: the end of its log</summary>\n\n"
        out += tail.isEmpty ? "(no output)\n" : fenced(tail)
        out += "\n</details>\n\n"
      }
    }

    let timed = report.jobs.filter { $0.durationSeconds != nil }
      .sorted { ($0.durationSeconds!, $1.id) > ($1.durationSeconds!, $0.id) }
    if !timed.isEmpty {
      out += "#### Slowest jobs\n\n| job | status | duration |\n|---|---|---:|\n"
      for job in timed.prefix(slowest) {
        out += "| `\(job.id)` | \(job.status.rawValue) | \(duration(job)) |\n"
      }
      out += "\n"
    }
    if let path = report.criticalPath, !path.jobs.isEmpty {
      out += "#### Critical path\n\n" + path.jobs.map { "`\($0)`" }.joined(separator: " → ")
      if let seconds = path.seconds { out += " (\(DurationText.format(seconds: seconds)))" }
      out += "\n\n"
    }
    return out
  }

  /// How a failed job ended: `exit 3`, `SIGKILL`, `timed out`, or its reason.
  static func how(_ job: ReportDocument.Job) -> String {
    if job.status == .timedOut { return "timed out" }
    if let code = job.exitCode { return "exit \(code)" }
    if let signal = job.signal { return signal }
    return job.reason ?? ""
  }

  static func duration(_ job: ReportDocument.Job) -> String {
    job.durationSeconds.map { DurationText.format(seconds: $0) } ?? ""
  }

  /// Text for a table cell: pipes escaped, one line.
  static func cell(_ text: String) -> String {
    text.replacing("|", with: "\\|").replacing("\n", with: " ")
  }

  /// `text` in a code fence longer than any run of backticks inside it.
  static func fenced(_ text: String) -> String {
    var longest = 0
    var run = 0
    for character in text {
      run = character == "`" ? run + 1 : 0
      longest = max(longest, run)
    }
    let fence = String(repeating: "`", count: max(3, longest + 1))
    return fence + "text\n" + text + (text.hasSuffix("\n") ? "" : "\n") + fence + "\n"
  }
}
