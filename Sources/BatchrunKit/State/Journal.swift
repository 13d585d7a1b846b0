import Glibc
import Synchronization

/// `events.jsonl`: the run's journal, one JSON object per line. The lines of the events
/// delivered together (a thousand up-to-date jobs decided at once, say) are appended with
/// a single `write` before the deliverer moves on, so that a batchrun killed outright
/// still leaves a record of whole lines.
///
/// The first line (`run_started`) holds what a report needs beyond the jobs: the
/// manifest, concurrency, host, and every selected job as "not finished". Each later
/// line (`job_finished`) is a job's report object, written as the job ends.
/// ``JournalReplay`` rebuilds a report from it.
final class Journal: RunObserver {
  private let fd: Int32
  private let plan: Plan
  /// Masks secrets in every line.
  private let masker: SecretMasker
  /// The lines of the events being delivered, written at ``delivered()``.
  private let pending = Mutex<[UInt8]>([])

  /// Opens the journal and writes its first line
  /// (``JournalReplay/writeStartRecord(of:runID:settings:startedAt:to:)``).
  init(
    path: String, plan: Plan, runID: String, settings: RunSettings, startedAt: WallClock.Instant,
    masker: SecretMasker = SecretMasker(values: [])
  ) throws(SystemFailure) {
    fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
    guard fd >= 0 else {
      throw SystemFailure("cannot open", path: path)
    }
    self.plan = plan
    self.masker = masker
    let start = masker.masking { emit in
      JournalReplay.writeStartRecord(
        of: plan, runID: runID, settings: settings, startedAt: startedAt, to: emit)
    }
    _ = start { [fd] (bytes: [UInt8]) -> Bool in FileBytes.writeAll(fd, bytes) }
  }

  deinit { close(fd) }

  func jobFinished(_ job: Job, result: JobResult) {
    append(ReportDocument.Job(result, of: plan).json(), event: "job_finished")
  }

  private func append(_ object: JSON, event: String) {
    var value = object
    if case .object(let members) = object {
      value = .object([("event", .string(event))] + members)
    }
    var line = masker.mask(value.bytes(pretty: false))
    line.append(UInt8(ascii: "\n"))
    pending.withLock { $0 += line }
  }

  func delivered() {
    let lines = pending.withLock { pending in
      defer { pending = [] }
      return pending
    }
    if !lines.isEmpty { _ = lines.withUnsafeBytes { FileBytes.writeAll(fd, $0) } }
  }
}
