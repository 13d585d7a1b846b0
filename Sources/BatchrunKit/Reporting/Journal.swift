import Glibc

/// `events.jsonl`: the run's journal, one JSON object per line, each appended with a
/// single `write` so that a batchrun killed outright still leaves a record.
///
/// The first line (`run_started`) holds what a report needs beyond the jobs: the
/// manifest, concurrency, host, and every selected job as "not finished". Each later
/// line (`job_finished`) is a job's report object, written as the job ends.
/// ``JournalReplay`` rebuilds a report from it.
public final class Journal: RunObserver {
  private let fd: Int32
  private let jobs: JobJSON

  /// Opens the journal and writes its first line.
  public init(path: String, start: JSON, jobs: JobJSON) throws(RunStore.Failure) {
    fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
    guard fd >= 0 else {
      throw RunStore.Failure(description: "cannot open \(path): \(String(cString: strerror(errno)))")
    }
    self.jobs = jobs
    append(start)
  }

  deinit { close(fd) }

  public func jobFinished(_ job: Job, result: JobResult) {
    append(jobs.json(result), event: "job_finished")
  }

  private func append(_ object: JSON, event: String? = nil) {
    var value = object
    if let event, case .object(let members) = object {
      value = .object([("event", .string(event))] + members)
    }
    var line = value.bytes(pretty: false)
    line.append(UInt8(ascii: "\n"))
    _ = line.withUnsafeBytes { FileBytes.writeAll(fd, $0) }
  }
}
