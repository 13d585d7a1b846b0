import Synchronization

/// `stream`: every output line of every job as it is written, behind the job's id; a
/// ticker reads what each followed log gained.
final class StreamRenderer: ConsoleRenderer {
  private let lines: ConsoleLines
  private let output: any ConsoleSink
  /// Column width of job ids in the prefixes.
  private let idWidth: Int
  /// The logs being followed, by job id.
  private let streams = Mutex<[String: StreamedLog]>([:])
  private let ticker = ConsoleTicker(every: .milliseconds(50))

  init(lines: ConsoleLines, output: any ConsoleSink, idWidth: Int) {
    self.lines = lines
    self.output = output
    self.idWidth = idWidth
  }

  func attemptStarted(_ job: Job, attempt: Int, log: String) {
    let stream = StreamedLog(directory: lines.runDirectory, log: log, prefix: prefix(job.id))
    streams.withLock { $0[job.id] = stream }
    ticker.start { [weak self] in self?.pumpAll(final: false) }
  }

  func attemptWillRetry(_ job: Job, record: AttemptRecord) {
    pump(job.id, final: true)
    emit(lines.retrying(job, record: record))
  }

  func jobFinished(_ job: Job, result: JobResult) {
    pump(job.id, final: true)
    emit(lines.finished(job, result))
  }

  func close(with summary: String) {
    ticker.stop()
    pumpAll(final: true)
    emit(summary)
  }

  /// `build   | `: the id cut or padded to the width, in colour.
  private func prefix(_ id: String) -> String {
    let shown = id.count > idWidth && idWidth > 0 ? String(id.prefix(idWidth - 1)) + "…" : id
    return lines.paint(shown + String(repeating: " ", count: max(0, idWidth - shown.count)), .cyan) + " | "
  }

  private func emit(_ text: String) {
    guard !text.isEmpty else { return }
    streams.withLock { _ in _ = output.write(text, droppable: false) }
  }

  private func pumpAll(final: Bool) {
    for id in streams.withLock({ $0.keys.sorted() }) { pump(id, final: final) }
  }

  /// Prints the lines a followed log gained; with `final`, all the rest, the last partial
  /// line included, and stops following it. What the console cannot take is skipped,
  /// with one line naming the log.
  private func pump(_ id: String, final: Bool) {
    streams.withLock { streams in
      guard var stream = streams[id] else { return }
      defer { streams[id] = final ? nil : stream }
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
}
