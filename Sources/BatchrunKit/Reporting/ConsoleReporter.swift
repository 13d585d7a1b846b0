import Glibc
import Synchronization

/// The plain console: one line per job start and finish, the tail of each failed job's
/// log, and a closing summary. No escape codes unless colour is on.
public final class ConsoleReporter: RunObserver {
  /// Lines of a failed job's log to show.
  public static let tailLines = 20

  private let runDirectory: String
  private let quiet: Bool
  private let color: Bool
  private let output: @Sendable (String) -> Void
  private let lock = Mutex(())

  /// - Parameters:
  ///   - quiet: print failures and the summary only.
  ///   - output: where text goes (standard output in the tool, a buffer in tests).
  public init(
    runDirectory: String, quiet: Bool, color: Bool, output: @escaping @Sendable (String) -> Void
  ) {
    self.runDirectory = runDirectory
    self.quiet = quiet
    self.color = color
    self.output = output
  }

  private func emit(_ text: String) {
    lock.withLock { _ in output(text) }
  }

  private func paint(_ text: String, _ code: String) -> String {
    color ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
  }

  public func attemptStarted(_ job: Job, attempt: Int, log: String) {
    guard !quiet else { return }
    let suffix = attempt > 1 ? " (attempt \(attempt))" : ""
    emit("\(paint("  start", "2")) \(job.id)\(suffix)\n")
  }

  public func attemptWillRetry(_ job: Job, record: AttemptRecord) {
    guard !quiet else { return }
    let delay = job.retryDelay > .zero ? " in \(Self.format(job.retryDelay.seconds))" : ""
    emit(
      "\(paint("  retry", "33")) \(job.id): attempt \(record.attempt) \(Self.describe(record.status, record.exit));"
        + " retrying\(delay)\n")
  }

  public func jobFinished(_ job: Job, result: JobResult) {
    let duration = RunReport.duration(of: result)
    let last = result.lastAttempt
    var line: String
    switch result.status {
    case .succeeded:
      guard !quiet else { return }
      line = "\(paint("     ok", "32")) \(job.id) \(Self.format(duration))"
    case .failed, .timedOut:
      let label =
        job.allowFailure
        ? paint("allowed", "33") : paint(result.status == .failed ? "   FAIL" : "TIMEOUT", "1;31")
      line = "\(label) \(job.id) \(Self.describe(result.status, last!.exit)) \(Self.format(duration))"
      if job.allowFailure { line += " (allow-failure)" }
    case .cancelled:
      line = "\(paint(" cancel", "33")) \(job.id)"
    case .skipped:
      guard !quiet else { return }
      line = "\(paint("   skip", "2")) \(job.id)"
    }
    if let reason = result.reason { line += ": \(reason)" }
    line += "\n"
    if let last, result.status == .failed || result.status == .timedOut {
      let tail = Self.tail(of: runDirectory + "/" + last.log, lines: Self.tailLines)
      for text in tail { line += paint("      |", "2") + " " + text + "\n" }
      if tail.isEmpty { line += paint("      | (no output)", "2") + "\n" }
    }
    emit(line)
  }

  /// The closing lines: counts, wall time, and where the report is.
  public func summary(_ report: RunReport, reportPath: String?) {
    var parts = ["\(report.count(.succeeded)) succeeded"]
    for status in [JobResult.Status.failed, .timedOut, .cancelled, .skipped] where report.count(status) > 0 {
      parts.append("\(report.count(status)) \(status == .timedOut ? "timed out" : status.rawValue)")
    }
    let total = report.outcome.results.count
    let verdict: String =
      switch report.status {
      case .succeeded: paint("succeeded", "1;32")
      case .failed: paint("failed", "1;31")
      case .cancelled, .incomplete:
        paint("interrupted by \(SignalName.of(report.outcome.interruption ?? SIGINT))", "1;33")
      }
    var text =
      "\(verdict): \(total) job\(total == 1 ? "" : "s"), \(parts.joined(separator: ", "))"
      + " in \(Self.format(report.startedAt.seconds(to: report.finishedAt)))\n"
    if let reportPath { text += "report: \(reportPath)\n" }
    emit(text)
  }

  static func describe(_ status: JobResult.Status, _ exit: AttemptExit) -> String {
    switch (status, exit.termination) {
    case (.timedOut, _): "timed out"
    case (_, .exited(let code)): "exit \(code)"
    case (_, .signaled(let signal)): "killed by \(SignalName.of(signal))"
    case (_, .failedToStart(let why)): "could not start: \(why)"
    }
  }

  static func format(_ seconds: Double) -> String {
    if seconds < 10 { return String(Double(Int((seconds * 100).rounded())) / 100) + "s" }
    if seconds < 60 { return String(Double(Int((seconds * 10).rounded())) / 10) + "s" }
    let whole = Int(seconds.rounded())
    return whole < 3600 ? "\(whole / 60)m\(whole % 60)s" : "\(whole / 3600)h\(whole / 60 % 60)m"
  }

  /// The last `lines` lines of a file, reading at most its last 64 KiB.
  public static func tail(of path: String, lines: Int) -> [String] {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return [] }
    defer { close(fd) }
    let size = lseek(fd, 0, SEEK_END)
    let start = max(0, size - 65536)
    lseek(fd, start, SEEK_SET)
    var buffer = [UInt8](repeating: 0, count: Int(size - start))
    let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
    guard count > 0 else { return [] }
    let text = String(decoding: buffer.prefix(count), as: UTF8.self)
    var all = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    if all.last == "" { all.removeLast() }
    if start > 0, !all.isEmpty { all.removeFirst() }  // a partial first line
    return Array(all.suffix(lines))
  }
}
