import Synchronization

/// One console style: what it prints for each event of a run. ``ConsoleReporter`` holds
/// the one its style names.
///
/// Calls may come from several tasks at once (the scheduler's deliverer, a ticker, the
/// session): a renderer writes under a lock of its own, so that each text goes out whole.
protocol ConsoleRenderer: Sendable {
  func attemptStarted(_ job: Job, attempt: Int, log: String)
  func attemptWillRetry(_ job: Job, record: AttemptRecord)
  func jobFinished(_ job: Job, result: JobResult)
  /// Stops any periodic work and prints the run's closing text.
  func close(with summary: String)
}

/// `plain`, one line per job start and finish and the tail of each failed job's log; or
/// `quiet`, the failures and the summary only.
final class PlainRenderer: ConsoleRenderer {
  private let lines: ConsoleLines
  private let quiet: Bool
  /// The sink, behind the lock that keeps texts whole.
  private let output: Mutex<any ConsoleSink>

  init(lines: ConsoleLines, output: any ConsoleSink, quiet: Bool) {
    self.lines = lines
    self.output = Mutex(output)
    self.quiet = quiet
  }

  func attemptStarted(_ job: Job, attempt: Int, log: String) {
    if !quiet { emit(lines.started(job, attempt: attempt)) }
  }

  func attemptWillRetry(_ job: Job, record: AttemptRecord) {
    if !quiet { emit(lines.retrying(job, record: record)) }
  }

  func jobFinished(_ job: Job, result: JobResult) {
    let failed = result.status.isFailure
    guard !quiet || failed || result.status == .cancelled else { return }
    emit(lines.finished(job, result) + (failed ? lines.tail(of: result) : ""))
  }

  func close(with summary: String) {
    emit(summary)
  }

  private func emit(_ text: String) {
    guard !text.isEmpty else { return }
    output.withLock { _ = $0.write(text, droppable: false) }
  }
}
