import Glibc

/// `events.jsonl`: one JSON line per finished job, each appended with a single write,
/// so a run killed outright still leaves a record of every job that had finished.
public final class Journal: RunObserver {
  private let fd: Int32

  public init(path: String) throws(RunStore.Failure) {
    fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
    guard fd >= 0 else {
      throw RunStore.Failure(description: "cannot open \(path): \(String(cString: strerror(errno)))")
    }
  }

  deinit { close(fd) }

  public func jobFinished(_ job: Job, result: JobResult) {
    let last = result.lastAttempt
    let (exitCode, signal) = RunReport.exitFields(last?.exit)
    let line =
      JSON.object([
        ("event", .string("job_finished")),
        ("id", .string(job.id)),
        ("status", .string(result.status.rawValue)),
        ("reason", .string(result.reason)),
        ("attempt", .int(last?.attempt)),
        ("exit_code", exitCode),
        ("signal", signal),
        ("started_at", .string(result.attempts.first?.exit.startedAt.rfc3339)),
        ("finished_at", .string(last?.exit.finishedAt.rfc3339)),
        ("log", .string(last?.log)),
      ]).rendered(pretty: false) + "\n"
    var bytes = line
    bytes.withUTF8 { _ = write(fd, $0.baseAddress, $0.count) }
  }
}
