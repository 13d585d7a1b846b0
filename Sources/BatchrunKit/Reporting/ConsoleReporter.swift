import Glibc
import Synchronization

/// What the console shows of a run, fed by the scheduler's events.
///
/// - `plain`: one line per job start and finish, the tail of each failed job's log.
/// - `live`: on a terminal, finished jobs printed above one status line redrawn in place.
/// - `stream`: every output line of every job as it is written, prefixed with the job id.
/// - `grouped`: each job's whole log when it finishes, as `::group::` blocks on GitHub Actions.
/// - `quiet`: failures and the summary only.
///
/// Every style ends with ``summary(_:reportPath:)``. Escape codes appear only in `live`
/// and when colour is on.
public final class ConsoleReporter: RunObserver {
  /// How the console shows a run.
  public enum Style: Sendable, Equatable {
    case plain
    /// A live status line; `width` is the terminal's, in columns.
    case live(width: Int)
    case stream
    case grouped(githubActions: Bool)
    case quiet
  }

  /// Lines of a failed job's log to show.
  public static let tailLines = 20

  private let runDirectory: String
  private let style: Style
  private let color: Bool
  private let total: Int
  /// Column width of job ids in stream prefixes.
  private let idWidth: Int
  private let output: @Sendable (String) -> Void
  private let state = Mutex(State())
  private let clock = ContinuousClock()
  private let start: ContinuousClock.Instant

  private struct State {
    var finished = 0
    var failures = 0
    /// Running job ids in start order.
    var running: [String] = []
    var statusShown = false
    /// Set by the summary: nothing is drawn after it.
    var closed = false
    var ticker: Task<Void, Never>?
    var streams: [String: StreamedLog] = [:]
  }

  /// - Parameters:
  ///   - total: the number of selected jobs, for the status line.
  ///   - idWidth: the longest job id, to align stream prefixes.
  ///   - output: where text goes (standard output in the tool, a buffer in tests); each
  ///     call carries whole lines.
  public init(
    runDirectory: String, style: Style, color: Bool, total: Int = 0, idWidth: Int = 0,
    output: @escaping @Sendable (String) -> Void
  ) {
    self.runDirectory = runDirectory
    self.style = style
    self.color = color
    self.total = total
    self.idWidth = min(idWidth, 32)
    self.output = output
    start = clock.now
  }

  private func paint(_ text: String, _ code: String) -> String {
    color ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
  }

  // MARK: - Events

  public func attemptStarted(_ job: Job, attempt: Int, log: String) {
    let suffix = attempt > 1 ? " (attempt \(attempt))" : ""
    switch style {
    case .plain:
      emit("\(paint("  start", "2")) \(job.id)\(suffix)\n")
    case .live:
      state.withLock { $0.running.append(job.id) }
      startTicker(every: .milliseconds(100))
      emitAboveStatus("")
    case .stream:
      let stream = StreamedLog(path: runDirectory + "/" + log, prefix: streamPrefix(job.id))
      state.withLock { $0.streams[job.id] = stream }
      startTicker(every: .milliseconds(50))
    case .grouped, .quiet:
      break
    }
  }

  public func attemptWillRetry(_ job: Job, record: AttemptRecord) {
    let delay = job.retryDelay > .zero ? " in \(Self.format(job.retryDelay.seconds))" : ""
    let line =
      "\(paint("  retry", "33")) \(job.id): attempt \(record.attempt) \(Self.describe(record.status, record.exit));"
      + " retrying\(delay)\n"
    switch style {
    case .plain: emit(line)
    case .live:
      state.withLock { state in state.running.removeAll { $0 == job.id } }
      emitAboveStatus(line)
    case .stream: emit(drainStream(of: job.id) + line)
    case .grouped: emit(groupedBlock(job, record: record, title: "attempt \(record.attempt)"))
    case .quiet: break
    }
  }

  public func jobFinished(_ job: Job, result: JobResult) {
    let failed = result.status.isFailure
    state.withLock { state in
      state.finished += 1
      if failed, !job.allowFailure { state.failures += 1 }
      state.running.removeAll { $0 == job.id }
    }
    let line = finishLine(job, result)
    // The log's last lines, for a failure in the modes that show them (read only then).
    var tail: String { failed ? tailBlock(result) : "" }
    switch style {
    case .plain:
      emit(line + tail)
    case .live:
      emitAboveStatus(line + tail)
    case .stream:
      emit(drainStream(of: job.id) + line)
    case .grouped(let githubActions):
      guard let last = result.lastAttempt else { return emit(line) }
      var block = groupedBlock(job, record: last, title: result.status.rawValue)
      if githubActions, failed, !job.allowFailure {
        block +=
          "::error title=batchrun: \(job.id) \(result.status.rawValue)::"
          + "job '\(job.id)' \(Self.describe(result.status, last.exit))\n"
      }
      emit(block + line)
    case .quiet:
      if failed || result.status == .cancelled { emit(line + tail) }
    }
  }

  /// The closing lines: counts, wall time, and where the report is.
  public func summary(_ report: RunReport, reportPath: String?) {
    stopTicker()
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
    emitAboveStatus(text, redraw: false)
  }

  // MARK: - Lines

  private func finishLine(_ job: Job, _ result: JobResult) -> String {
    let duration = Self.format(RunReport.duration(of: result))
    var line: String
    switch result.status {
    case .succeeded:
      line = "\(paint("     ok", "32")) \(job.id) \(duration)"
    case .failed, .timedOut:
      let label =
        job.allowFailure
        ? paint("allowed", "33") : paint(result.status == .failed ? "   FAIL" : "TIMEOUT", "1;31")
      line = "\(label) \(job.id) \(Self.describe(result.status, result.lastAttempt!.exit)) \(duration)"
      if job.allowFailure { line += " (allow-failure)" }
    case .cancelled:
      line = "\(paint(" cancel", "33")) \(job.id)"
    case .skipped:
      line = "\(paint("   skip", "2")) \(job.id)"
    }
    if let reason = result.reason { line += ": \(reason)" }
    return line + "\n"
  }

  private func tailBlock(_ result: JobResult) -> String {
    guard let last = result.lastAttempt else { return "" }
    let tail = Self.tail(of: runDirectory + "/" + last.log, lines: Self.tailLines)
    if tail.isEmpty { return paint("      | (no output)", "2") + "\n" }
    return tail.map { paint("      |", "2") + " " + $0 + "\n" }.joined()
  }

  /// A job's whole log between group markers (GitHub Actions folds `::group::` blocks).
  private func groupedBlock(_ job: Job, record: AttemptRecord, title: String) -> String {
    guard case .grouped(let githubActions) = style else { return "" }
    let log = (try? FileBytes.read(runDirectory + "/" + record.log)).map {
      String(decoding: $0, as: UTF8.self)
    }
    var body = log ?? ""
    if !body.isEmpty, !body.hasSuffix("\n") { body += "\n" }
    let header =
      "\(job.id) (\(title), \(Self.format(record.exit.startedAt.seconds(to: record.exit.finishedAt))))"
    if githubActions {
      return "::group::\(header)\n\(body)::endgroup::\n"
    }
    return "── \(header) \(String(repeating: "─", count: max(3, 60 - header.count)))\n\(body)"
  }

  private func streamPrefix(_ id: String) -> String {
    let shown = id.count > idWidth && idWidth > 0 ? String(id.prefix(idWidth - 1)) + "…" : id
    return paint(shown + String(repeating: " ", count: max(0, idWidth - shown.count)), "36") + " | "
  }

  // MARK: - Output

  private func emit(_ text: String) {
    guard !text.isEmpty else { return }
    state.withLock { _ in output(text) }
  }

  /// In live mode: clears the status line, prints `text`, and draws the line again.
  private func emitAboveStatus(_ text: String, redraw: Bool = true) {
    guard case .live(let width) = style else { return emit(text) }
    state.withLock { state in
      var out = state.statusShown ? "\r\u{1B}[2K" : ""
      out += text
      if redraw, !state.closed {
        out += statusLine(state, width: width)
        state.statusShown = true
      } else {
        state.statusShown = false
        state.closed = state.closed || !redraw
      }
      output(out)
    }
  }

  /// `[done/total] running: a, b +3 | 1 failed | 12s | ETA 30s`, cut to the width.
  private func statusLine(_ state: State, width: Int) -> String {
    let elapsed = (clock.now - start).seconds
    var parts = ["[\(state.finished)/\(total)]"]
    if !state.running.isEmpty {
      let shown = state.running.prefix(3).joined(separator: ", ")
      let more = state.running.count > 3 ? " +\(state.running.count - 3)" : ""
      parts.append("running: \(shown)\(more)")
    }
    if state.failures > 0 { parts.append(paint("\(state.failures) failed", "31")) }
    parts.append(Self.clock(elapsed))
    if state.finished >= 3, state.finished < total, elapsed >= 1 {
      let eta = elapsed / Double(state.finished) * Double(total - state.finished)
      parts.append("ETA \(Self.clock(eta.rounded(.up)))")
    }
    let line = parts.joined(separator: " | ")
    // Escape codes take no columns: cut the plain text, then paint.
    return Self.visible(line, width: max(10, width - 1))
  }

  private func startTicker(every interval: Duration) {
    state.withLock { state in
      guard state.ticker == nil else { return }
      state.ticker = Task { [weak self] in
        while (try? await Task.sleep(for: interval)) != nil {
          self?.tick()
        }
      }
    }
  }

  private func stopTicker() {
    let ticker = state.withLock { state -> Task<Void, Never>? in
      defer { state.ticker = nil }
      return state.ticker
    }
    ticker?.cancel()
    if case .stream = style {
      let ids = state.withLock { Array($0.streams.keys) }
      emit(ids.map(drainStream).joined())
    }
  }

  /// Periodic work: redraw the status line, or print new lines of streamed logs.
  private func tick() {
    switch style {
    case .live: emitAboveStatus("")
    case .stream:
      let text = state.withLock { state in
        state.streams.keys.sorted().map { state.streams[$0]!.readLines(final: false) }.joined()
      }
      emit(text)
    default: break
    }
  }

  /// The rest of a job's streamed log, the last partial line included; stops following it.
  private func drainStream(of id: String) -> String {
    state.withLock { state in
      defer { state.streams[id] = nil }
      return state.streams[id]?.readLines(final: true) ?? ""
    }
  }

  // MARK: - Formatting

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
      if character == "\u{1B}" { inEscape = true }
      if inEscape {
        out.append(character)
        if character.isLetter { inEscape = false }
        continue
      }
      guard columns < width else { continue }
      out.append(character)
      columns += 1
    }
    return out + (text.contains("\u{1B}") ? "\u{1B}[0m" : "")
  }

  /// The last `lines` lines of a file, reading at most its last 64 KiB.
  public static func tail(of path: String, lines: Int) -> [String] {
    LogText.tailLines(ofFile: path, maxBytes: 65536, lines: lines)?.lines ?? []
  }
}

/// A log followed as it grows, for `--output stream`: whole lines only, each prefixed.
struct StreamedLog: Sendable {
  let path: String
  let prefix: String
  private var offset: Int64 = 0
  private var partial: [UInt8] = []

  init(path: String, prefix: String) {
    self.path = path
    self.prefix = prefix
  }

  /// The complete lines written since the last call; with `final`, also the last partial line.
  mutating func readLines(final: Bool) -> String {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    if fd >= 0 {
      defer { close(fd) }
      var chunk = [UInt8](repeating: 0, count: 65536)
      while true {
        let count = chunk.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, off_t(offset)) }
        guard count > 0 else { break }
        partial += chunk[0..<count]
        offset += Int64(count)
      }
    }
    var out = ""
    var start = partial.startIndex
    while let newline = partial[start...].firstIndex(of: UInt8(ascii: "\n")) {
      out += prefix + String(decoding: partial[start..<newline], as: UTF8.self) + "\n"
      start = newline + 1
    }
    partial.removeFirst(start - partial.startIndex)
    if final, !partial.isEmpty {
      out += prefix + String(decoding: partial, as: UTF8.self) + "\n"
      partial = []
    }
    return out
  }
}
