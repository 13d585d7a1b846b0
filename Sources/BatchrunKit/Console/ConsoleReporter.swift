/// What the console shows of a run, fed by the scheduler's events.
///
/// - `plain`: one line per job start and finish, the tail of each failed job's log.
/// - `live`: on a terminal, finished jobs printed above one status line redrawn in place.
/// - `stream`: every output line of every job as it is written, prefixed with the job id.
/// - `grouped`: each job's whole log when it finishes, as `::group::` blocks on GitHub Actions.
/// - `quiet`: failures and the summary only.
///
/// Every style ends with ``summary(_:reportPath:)``, after a failed run's ``RootCause``. Escape codes appear only in `live`
/// and when colour is on. Each style is a ``ConsoleRenderer`` of its own; this type
/// picks one and hands it the events.
public final class ConsoleReporter: RunObserver {
  /// How the console shows a run.
  public enum Style: Sendable, Equatable {
    case plain
    /// A live status line; `width` is the terminal's, in columns.
    case live(width: Int)
    case stream
    case grouped(GroupMarkers)
    case quiet
  }

  /// Lines of a failed job's log to show.
  static let tailLines = 20

  private let lines: ConsoleLines
  private let renderer: any ConsoleRenderer

  /// - Parameters:
  ///   - total: the number of selected jobs, for the status line.
  ///   - idWidth: the longest job id, to align stream prefixes.
  ///   - queued: how many started jobs wait in a cluster's queue, for the status line
  ///     (`nil`: jobs run as soon as they start).
  ///   - output: where text goes (standard output in the tool, a buffer in tests); each
  ///     call carries whole lines.
  init(
    runDirectory: String, style: Style, color: Bool, total: Int = 0, idWidth: Int = 0,
    queued: (@Sendable () -> Int?)? = nil, output: any ConsoleSink
  ) {
    let lines = ConsoleLines(runDirectory: runDirectory, color: color)
    self.lines = lines
    switch style {
    case .plain, .quiet:
      renderer = PlainRenderer(lines: lines, output: output, quiet: style == .quiet)
    case .live(let width):
      renderer = StatusLineRenderer(lines: lines, output: output, width: width, total: total, queued: queued)
    case .stream:
      renderer = StreamRenderer(lines: lines, output: output, idWidth: min(idWidth, 32))
    case .grouped(let markers):
      renderer = GroupedRenderer(lines: lines, output: output, markers: markers)
    }
  }

  public func attemptStarted(_ job: Job, attempt: Int, log: String) {
    renderer.attemptStarted(job, attempt: attempt, log: log)
  }

  public func attemptWillRetry(_ job: Job, record: AttemptRecord) {
    renderer.attemptWillRetry(job, record: record)
  }

  public func jobFinished(_ job: Job, result: JobResult) {
    renderer.jobFinished(job, result: result)
  }

  /// The closing lines: counts, wall time, and where the report is.
  func summary(_ report: RunReport, reportPath: String?) {
    let cause = RootCause(report).map { $0.text(lines) } ?? ""
    renderer.close(with: cause + lines.summary(report, reportPath: reportPath))
  }

  // MARK: - Formatting

  /// How an attempt ended, in words: `exit 1`, `killed by SIGKILL`, `timed out`.
  static func describe(_ status: JobResult.Status, _ exit: AttemptExit) -> String {
    switch (status, exit.termination) {
    case (.timedOut, _): "timed out"
    case (_, .exited(let code)): "exit \(code)"
    case (_, .signaled(let signal)): "killed by \(SignalName.of(signal))"
    case (_, .failedToStart(let why)): "could not start: \(why)"
    }
  }

  /// The last `lines` lines of a file, reading at most its last 64 KiB.
  static func tail(of path: String, lines: Int) -> [String] {
    LogText.tailLines(ofFile: path, maxBytes: 65536, lines: lines)?.lines ?? []
  }
}
