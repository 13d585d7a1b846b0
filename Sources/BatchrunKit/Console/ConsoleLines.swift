import Glibc

/// The lines every console style prints of a run, in colour when it is on: a job
/// starting, retrying and finishing, a failed job's log tail, and the summary.
struct ConsoleLines: Sendable {
  let runDirectory: String
  let color: Bool

  func paint(_ text: String, _ style: ANSI.Style) -> String {
    ANSI.paint(text, style, if: color)
  }

  /// `  start build (attempt 2)`.
  func started(_ job: Job, attempt: Int) -> String {
    let suffix = attempt > 1 ? " (attempt \(attempt))" : ""
    return "\(paint("  start", .dim)) \(job.id)\(suffix)\n"
  }

  /// `  retry build: attempt 1 exit 1; retrying in 2s`.
  func retrying(_ job: Job, record: AttemptRecord) -> String {
    let wait = job.retryDelay(after: record.attempt)
    let delay = wait > .zero ? " in \(DurationText.format(seconds: wait.seconds))" : ""
    return
      "\(paint("  retry", .yellow)) \(job.id): attempt \(record.attempt) "
      + "\(ConsoleReporter.describe(record.status, record.exit)); retrying\(delay)\n"
  }

  /// `     ok build 1.2s`, `   FAIL test exit 1 0.31s`, `   skip deploy: need 'test' failed`.
  func finished(_ job: Job, _ result: JobResult) -> String {
    let duration = DurationText.format(seconds: RunReport.duration(of: result))
    var line: String
    switch result.status {
    case .succeeded:
      line = "\(paint("     ok", .green)) \(job.id) \(duration)"
    case .failed, .timedOut:
      let label =
        job.allowFailure
        ? paint("allowed", .yellow) : paint(result.status == .failed ? "   FAIL" : "TIMEOUT", .boldRed)
      line =
        "\(label) \(job.id) \(ConsoleReporter.describe(result.status, result.lastAttempt!.exit)) \(duration)"
      if job.allowFailure { line += " (allow-failure)" }
    case .cancelled:
      line = "\(paint(" cancel", .yellow)) \(job.id)"
    case .skipped:
      line = "\(paint("   skip", .dim)) \(job.id)"
    case .upToDate:
      line = "\(paint("     up", .dim)) \(job.id)"
    }
    if let reason = result.reason { line += ": \(reason)" }
    return line + "\n"
  }

  /// The last lines of a failed job's log, each behind `      |`; empty if it never started.
  func tail(of result: JobResult) -> String {
    guard let last = result.lastAttempt else { return "" }
    let tail = ConsoleReporter.tail(of: runDirectory + "/" + last.log, lines: ConsoleReporter.tailLines)
    if tail.isEmpty { return paint("      | (no output)", .dim) + "\n" }
    return tail.map { paint("      |", .dim) + " " + $0 + "\n" }.joined()
  }

  /// The closing lines: counts, wall time, and where the report is.
  func summary(_ report: RunReport, reportPath: String?) -> String {
    var parts = ["\(report.count(.succeeded)) succeeded"]
    for status in [JobResult.Status.upToDate, .failed, .timedOut, .cancelled, .skipped]
    where report.count(status) > 0 {
      parts.append("\(report.count(status)) \(status.rawValue.replacing("_", with: " "))")
    }
    let total = report.outcome.results.count
    let verdict: String =
      switch report.status {
      case .succeeded: paint("succeeded", .boldGreen)
      case .failed: paint("failed", .boldRed)
      case .cancelled, .incomplete:
        paint("interrupted by \(SignalName.of(report.outcome.interruption ?? SIGINT))", .boldYellow)
      }
    var text =
      "\(verdict): \(total) job\(total == 1 ? "" : "s"), \(parts.joined(separator: ", "))"
      + " in \(DurationText.format(seconds: report.startedAt.seconds(to: report.finishedAt)))\n"
    if let reportPath { text += "report: \(reportPath)\n" }
    return text
  }
}
