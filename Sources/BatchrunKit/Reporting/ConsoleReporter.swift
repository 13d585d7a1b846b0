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
  private let output: any ConsoleSink
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
    output: any ConsoleSink
  ) {
    self.runDirectory = runDirectory
    self.style = style
    self.color = color
    self.total = total
    self.idWidth = min(idWidth, 32)
    self.output = output
    start = clock.now
  }

  private func paint(_ text: String, _ style: ANSI.Style) -> String {
    ANSI.paint(text, style, if: color)
  }

  // MARK: - Events

  public func attemptStarted(_ job: Job, attempt: Int, log: String) {
    let suffix = attempt > 1 ? " (attempt \(attempt))" : ""
    switch style {
    case .plain:
      emit("\(paint("  start", .dim)) \(job.id)\(suffix)\n")
    case .live:
      state.withLock { $0.running.append(job.id) }
      startTicker(every: .milliseconds(100))
      emitAboveStatus("")
    case .stream:
      let stream = StreamedLog(directory: runDirectory, log: log, prefix: streamPrefix(job.id))
      state.withLock { $0.streams[job.id] = stream }
      startTicker(every: .milliseconds(50))
    case .grouped, .quiet:
      break
    }
  }

  public func attemptWillRetry(_ job: Job, record: AttemptRecord) {
    let delay = job.retryDelay > .zero ? " in \(Self.format(job.retryDelay.seconds))" : ""
    let line =
      "\(paint("  retry", .yellow)) \(job.id): attempt \(record.attempt) \(Self.describe(record.status, record.exit));"
      + " retrying\(delay)\n"
    switch style {
    case .plain: emit(line)
    case .live:
      state.withLock { state in state.running.removeAll { $0 == job.id } }
      emitAboveStatus(line)
    case .stream:
      pump(job.id, final: true)
      emit(line)
    case .grouped: emitGrouped(job, record: record, title: "attempt \(record.attempt)")
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
      pump(job.id, final: true)
      emit(line)
    case .grouped(let githubActions):
      guard let last = result.lastAttempt else { return emit(line) }
      var after = ""
      if githubActions, failed, !job.allowFailure {
        after =
          "::error title=batchrun: \(job.id) \(result.status.rawValue)::"
          + "job '\(job.id)' \(Self.describe(result.status, last.exit))\n"
      }
      emitGrouped(job, record: last, title: result.status.rawValue, then: after + line)
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
      case .succeeded: paint("succeeded", .boldGreen)
      case .failed: paint("failed", .boldRed)
      case .cancelled, .incomplete:
        paint("interrupted by \(SignalName.of(report.outcome.interruption ?? SIGINT))", .boldYellow)
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
      line = "\(paint("     ok", .green)) \(job.id) \(duration)"
    case .failed, .timedOut:
      let label =
        job.allowFailure
        ? paint("allowed", .yellow) : paint(result.status == .failed ? "   FAIL" : "TIMEOUT", .boldRed)
      line = "\(label) \(job.id) \(Self.describe(result.status, result.lastAttempt!.exit)) \(duration)"
      if job.allowFailure { line += " (allow-failure)" }
    case .cancelled:
      line = "\(paint(" cancel", .yellow)) \(job.id)"
    case .skipped:
      line = "\(paint("   skip", .dim)) \(job.id)"
    }
    if let reason = result.reason { line += ": \(reason)" }
    return line + "\n"
  }

  private func tailBlock(_ result: JobResult) -> String {
    guard let last = result.lastAttempt else { return "" }
    let tail = Self.tail(of: runDirectory + "/" + last.log, lines: Self.tailLines)
    if tail.isEmpty { return paint("      | (no output)", .dim) + "\n" }
    return tail.map { paint("      |", .dim) + " " + $0 + "\n" }.joined()
  }

  /// Most bytes of a log a grouped block shows: its end, where errors are.
  static let groupedBytes = 512 << 10

  /// A job's log between group markers (GitHub Actions folds `::group::` blocks), then
  /// `then`. When the console is behind, the log is left out with a line naming it.
  private func emitGrouped(_ job: Job, record: AttemptRecord, title: String, then: String = "") {
    guard case .grouped(let githubActions) = style else { return }
    let header =
      "\(job.id) (\(title), \(Self.format(record.exit.startedAt.seconds(to: record.exit.finishedAt))))"
    let open =
      githubActions
      ? "::group::\(header)\n" : "── \(header) \(String(repeating: "─", count: max(3, 60 - header.count)))\n"
    let close = githubActions ? "::endgroup::\n" : ""
    let path = runDirectory + "/" + record.log
    var body = ""
    if let (bytes, cut) = LogText.tailFromLineStart(ofFile: path, maxBytes: Self.groupedBytes) {
      if cut { body += "… (earlier output not shown; the whole log is \(path))\n" }
      var lines = LineCutter(log: path)
      var text: [UInt8] = []
      lines.feed(bytes, into: &text)
      lines.finish(into: &text)
      body += String(decoding: text, as: UTF8.self)
    }
    state.withLock { _ in
      if !output.write(open + body + close, droppable: true) {
        output.write(
          open + "(output not shown: the console is behind; the whole log is \(path))\n" + close,
          droppable: false)
      }
      if !then.isEmpty { output.write(then, droppable: false) }
    }
  }

  private func streamPrefix(_ id: String) -> String {
    let shown = id.count > idWidth && idWidth > 0 ? String(id.prefix(idWidth - 1)) + "…" : id
    return paint(shown + String(repeating: " ", count: max(0, idWidth - shown.count)), .cyan) + " | "
  }

  // MARK: - Output

  private func emit(_ text: String) {
    guard !text.isEmpty else { return }
    state.withLock { _ in _ = output.write(text, droppable: false) }
  }

  /// In live mode: clears the status line, prints `text`, and draws the line again.
  private func emitAboveStatus(_ text: String, redraw: Bool = true) {
    guard case .live(let width) = style else { return emit(text) }
    state.withLock { state in
      var out = state.statusShown ? ANSI.clearLine : ""
      out += text
      let shown: Bool
      if redraw, !state.closed {
        out += statusLine(state, width: width)
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
  private func statusLine(_ state: State, width: Int) -> String {
    let elapsed = (clock.now - start).seconds
    var parts = ["[\(state.finished)/\(total)]"]
    if !state.running.isEmpty {
      let shown = state.running.prefix(3).joined(separator: ", ")
      let more = state.running.count > 3 ? " +\(state.running.count - 3)" : ""
      parts.append("running: \(shown)\(more)")
    }
    if state.failures > 0 { parts.append(paint("\(state.failures) failed", .red)) }
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
      for id in state.withLock({ $0.streams.keys.sorted() }) { pump(id, final: true) }
    }
  }

  /// Periodic work: redraw the status line, or print new lines of streamed logs.
  private func tick() {
    switch style {
    case .live: emitAboveStatus("")
    case .stream:
      for id in state.withLock({ $0.streams.keys.sorted() }) { pump(id, final: false) }
    default: break
    }
  }

  /// Prints the lines a followed log gained; with `final`, all the rest, the last partial
  /// line included, and stops following it. What the console cannot take is skipped,
  /// with one line naming the log.
  private func pump(_ id: String, final: Bool) {
    state.withLock { state in
      guard var stream = state.streams[id] else { return }
      defer { state.streams[id] = final ? nil : stream }
      // While the run goes on, one helping per tick; at the end, all of it.
      while true {
        guard output.hasRoom else {
          if stream.skipToEnd() { markDropped(&stream) }
          return
        }
        let (text, more) = stream.read(final: final)
        if !text.isEmpty {
          guard output.write(text, droppable: true) else {
            markDropped(&stream)
            stream.skipToEnd()
            return
          }
          stream.dropping = false
        }
        if !more || !final { return }
      }
    }
  }

  /// Says once, until output is shown again, that a followed log's output was left out.
  private func markDropped(_ stream: inout StreamedLog) {
    guard !stream.dropping else { return }
    output.write(
      stream.prefix + "… output not shown while the console was behind; the whole log is " + stream.path
        + "\n",
      droppable: false)
    stream.dropping = true
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

  /// The last `lines` lines of a file, reading at most its last 64 KiB.
  public static func tail(of path: String, lines: Int) -> [String] {
    LogText.tailLines(ofFile: path, maxBytes: 65536, lines: lines)?.lines ?? []
  }
}

/// A log followed as it grows, for `--output stream`: whole lines only, each prefixed,
/// long lines cut, and at most ``readLimit`` bytes held at a time.
struct StreamedLog: Sendable {
  /// Bytes read from the log per call.
  static let readLimit = 1 << 20

  let path: String
  let prefix: String
  private let prefixBytes: [UInt8]
  private var offset: Int64 = 0
  private var lines: LineCutter
  /// Output was refused and a marker printed: no other marker until some is taken again.
  var dropping = false

  init(directory: String, log: String, prefix: String) {
    path = directory + "/" + log
    self.prefix = prefix
    prefixBytes = Array(prefix.utf8)
    lines = LineCutter(log: path)
  }

  /// The lines written since the last call, from at most ``readLimit`` bytes, and whether
  /// more is waiting; with `final`, the last partial line too once all is read.
  mutating func read(final: Bool) -> (text: String, more: Bool) {
    var out: [UInt8] = []
    var more = false
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    if fd >= 0 {
      defer { close(fd) }
      var chunk = [UInt8](repeating: 0, count: 65536)
      var taken = 0
      while true {
        if taken >= Self.readLimit {
          more = true
          break
        }
        let count = chunk.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, off_t(offset)) }
        if count < 0, errno == EINTR { continue }
        guard count > 0 else { break }
        offset += Int64(count)
        taken += count
        lines.feed(chunk[0..<count], prefix: prefixBytes, into: &out)
      }
    }
    if final, !more { lines.finish(prefix: prefixBytes, into: &out) }
    return (String(decoding: out, as: UTF8.self), more)
  }

  /// Skips what the log holds now: the console could not take it. Returns whether
  /// anything was skipped.
  @discardableResult
  mutating func skipToEnd() -> Bool {
    var info = stat()
    let end = stat(path, &info) == 0 ? Int64(info.st_size) : offset
    defer { offset = max(offset, end) }
    guard end > offset || lines.hasPartialLine else { return false }
    lines = LineCutter(log: path)
    return true
  }
}
