import Synchronization

/// `live`: on a terminal, finished jobs printed above one status line that a ticker
/// redraws in place, `[done/total] running: a, b +3 | 1 failed | 12s | ETA 30s`.
final class StatusLineRenderer: ConsoleRenderer {
  private let lines: ConsoleLines
  private let output: any ConsoleSink
  /// The terminal's width, in columns.
  private let width: Int
  /// The number of selected jobs.
  private let total: Int
  private let state = Mutex(State())
  private let ticker = ConsoleTicker(every: .milliseconds(100))
  private let clock = ContinuousClock()
  private let start: ContinuousClock.Instant
  /// How many of the running jobs still wait in a cluster's queue (Slurm), if known.
  private let queued: (@Sendable () -> Int?)?

  private struct State {
    var finished = 0
    var failures = 0
    /// Running job ids in start order.
    var running: [String] = []
    var statusShown = false
    /// Set by the summary: nothing is drawn after it.
    var closed = false
  }

  init(
    lines: ConsoleLines, output: any ConsoleSink, width: Int, total: Int,
    queued: (@Sendable () -> Int?)? = nil
  ) {
    self.queued = queued
    self.lines = lines
    self.output = output
    self.width = width
    self.total = total
    start = clock.now
  }

  func attemptStarted(_ job: Job, attempt: Int, log: String) {
    state.withLock { $0.running.append(job.id) }
    ticker.start { [weak self] in self?.emitAboveStatus("") }
    emitAboveStatus("")
  }

  func attemptWillRetry(_ job: Job, record: AttemptRecord) {
    state.withLock { state in state.running.removeAll { $0 == job.id } }
    emitAboveStatus(lines.retrying(job, record: record))
  }

  func jobFinished(_ job: Job, result: JobResult) {
    let failed = result.status.isFailure
    state.withLock { state in
      state.finished += 1
      if failed, !job.allowFailure { state.failures += 1 }
      state.running.removeAll { $0 == job.id }
    }
    emitAboveStatus(lines.finished(job, result) + (failed ? lines.tail(of: result) : ""))
  }

  func close(with summary: String) {
    ticker.stop()
    emitAboveStatus(summary, redraw: false)
  }

  /// Clears the status line, prints `text`, and draws the line again; without `redraw`,
  /// for good.
  private func emitAboveStatus(_ text: String, redraw: Bool = true) {
    state.withLock { state in
      var out = state.statusShown ? ANSI.clearLine : ""
      out += text
      let shown: Bool
      if redraw, !state.closed {
        out += statusLine(state)
        shown = true
      } else {
        shown = false
        state.closed = state.closed || !redraw
      }
      // A bare redraw may be dropped while the terminal is behind; text never is.
      if output.write(out, droppable: text.isEmpty && shown) { state.statusShown = shown }
    }
  }

  /// `[done/total] running: a, b +3 | 1 failed | 12s | ETA 30s`, cut to the width.
  private func statusLine(_ state: State) -> String {
    let elapsed = (clock.now - start).seconds
    var parts = ["[\(state.finished)/\(total)]"]
    if !state.running.isEmpty {
      let shown = state.running.prefix(3).joined(separator: ", ")
      let more = state.running.count > 3 ? " +\(state.running.count - 3)" : ""
      // On a cluster, started jobs may still wait for a node: `running: 3, queued: 12`.
      if let waiting = queued?(), waiting > 0 {
        parts.append("running: \(max(0, state.running.count - waiting)), queued: \(waiting)")
      } else {
        parts.append("running: \(shown)\(more)")
      }
    }
    if state.failures > 0 { parts.append(lines.paint("\(state.failures) failed", .red)) }
    parts.append(Self.clock(elapsed))
    if state.finished >= 3, state.finished < total, elapsed >= 1 {
      let eta = elapsed / Double(state.finished) * Double(total - state.finished)
      parts.append("ETA \(Self.clock(eta.rounded(.up)))")
    }
    let line = parts.joined(separator: " | ")
    // Escape codes take no columns: cut the plain text, then paint.
    return Self.visible(line, width: max(10, width - 1))
  }

  /// Whole seconds for the status line: `7s`, `1m05s`, `2h03m`.
  static func clock(_ seconds: Double) -> String {
    let whole = Int(seconds)
    func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
    if whole < 60 { return "\(whole)s" }
    if whole < 3600 { return "\(whole / 60)m\(two(whole % 60))s" }
    return "\(whole / 3600)h\(two(whole / 60 % 60))m"
  }

  /// `text` cut to `width` visible columns, escape sequences kept whole.
  static func visible(_ text: String, width: Int) -> String {
    var out = ""
    var columns = 0
    var inEscape = false
    for character in text {
      if character == ANSI.escape { inEscape = true }
      if inEscape {
        out.append(character)
        if character.isLetter { inEscape = false }
        continue
      }
      guard columns < width else { continue }
      out.append(character)
      columns += 1
    }
    return out + (text.contains(ANSI.escape) ? ANSI.reset : "")
  }
}
