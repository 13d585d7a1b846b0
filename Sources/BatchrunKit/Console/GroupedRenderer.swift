import Synchronization

/// `grouped`: each job's log when it finishes, between group markers (`::group::` blocks,
/// which GitHub Actions folds, GitLab's collapsible sections, or a rule elsewhere).
final class GroupedRenderer: ConsoleRenderer {

  /// Most bytes of a log a block shows: its end, where errors are.
  static let maxBytes = 512 << 10

  private let lines: ConsoleLines
  private let markers: GroupMarkers
  /// The sink, behind the lock that keeps a block and the line after it together.
  private let output: Mutex<any ConsoleSink>

  /// Sections opened, to give each GitLab section a name of its own.
  private let sections = Atomic(0)

  init(lines: ConsoleLines, output: any ConsoleSink, markers: GroupMarkers) {
    self.lines = lines
    self.markers = markers
    self.output = Mutex(output)
  }

  func attemptStarted(_ job: Job, attempt: Int, log: String) {}

  func attemptWillRetry(_ job: Job, record: AttemptRecord) {
    emitBlock(job, record: record, title: "attempt \(record.attempt)")
  }

  func jobFinished(_ job: Job, result: JobResult) {
    let line = lines.finished(job, result)
    guard let last = result.lastAttempt else { return write(line) }
    var after = ""
    if markers == .githubActions, result.status.isFailure, !job.allowFailure {
      after =
        "::error title=batchrun: \(job.id) \(result.status.rawValue)::"
        + "job '\(job.id)' \(ConsoleReporter.describe(result.status, last.exit))\n"
    }
    emitBlock(job, record: last, title: result.status.rawValue, then: after + line)
  }

  func close(with summary: String) {
    write(summary)
  }

  private func write(_ text: String) {
    guard !text.isEmpty else { return }
    output.withLock { _ = $0.write(text, droppable: false) }
  }

  /// The lines before and after a block titled `header`.
  private func delimiters(_ header: String) -> (open: String, close: String) {
    switch markers {
    case .rule:
      return ("── \(header) \(String(repeating: "─", count: max(3, 60 - header.count)))\n", "")
    case .githubActions:
      return ("::group::\(header)\n", "::endgroup::\n")
    case .gitlab:
      // https://docs.gitlab.com/ci/jobs/job_logs/#custom-collapsible-sections
      let name = "batchrun_\(sections.add(1, ordering: .relaxed).newValue)"
      let now = String(WallClock.now.millisecondsSinceEpoch / 1000)
      let erase = ANSI.eraseToEndOfLine
      return (
        "\(erase)section_start:\(now):\(name)[collapsed=true]\r\(erase)\(header)\n",
        "\(erase)section_end:\(now):\(name)\r\(erase)\n"
      )
    }
  }

  /// An attempt's log between group markers, then `then`. When the console is behind,
  /// the log is left out with a line naming it.
  private func emitBlock(_ job: Job, record: AttemptRecord, title: String, then: String = "") {
    let header =
      "\(job.id) (\(title), \(DurationText.format(seconds: record.exit.startedAt.seconds(to: record.exit.finishedAt))))"
    let (open, close) = delimiters(header)
    let path = lines.runDirectory + "/" + record.log
    var body = ""
    if let (bytes, cut) = LogText.tailFromLineStart(ofFile: path, maxBytes: Self.maxBytes) {
      if cut { body += "… (earlier output not shown; the whole log is \(path))\n" }
      var cutter = LineCutter(log: path)
      var text: [UInt8] = []
      cutter.feed(bytes, into: &text)
      cutter.finish(into: &text)
      body += String(decoding: text, as: UTF8.self)
    }
    output.withLock { output in
      if !output.write(open + body + close, droppable: true) {
        output.write(
          open + "(output not shown: the console is behind; the whole log is \(path))\n" + close,
          droppable: false)
      }
      if !then.isEmpty { output.write(then, droppable: false) }
    }
  }
}
