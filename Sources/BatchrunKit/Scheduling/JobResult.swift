/// How a job ended in a run, with each of its attempts.
public struct JobResult: Sendable {
  /// A job's final status.
  public enum Status: String, Sendable, CaseIterable {
    case succeeded
    case failed
    case timedOut = "timed_out"
    case cancelled
    case skipped
    /// Not run: its fingerprint matches a success recorded earlier; counts as succeeded
    /// for `when`, for dependents and for the exit code.
    case upToDate = "up_to_date"

    /// The job failed by itself (an exit, a signal, a timeout): what `when` and the
    /// failure policy react to, unless the job may fail.
    var isFailure: Bool { self == .failed || self == .timedOut }

    /// The job counts as succeeded for `when`, its dependents and the exit code.
    var countsAsSuccess: Bool { self == .succeeded || self == .upToDate }
  }

  /// The job's index in the manifest.
  var index: Int
  public var status: Status
  /// Why the job was skipped or cancelled.
  var reason: String?
  /// Every attempt, first to last; empty if the job never started.
  var attempts: [AttemptRecord]
  /// The job's fingerprint when it started or was found up to date (docs/cli.md,
  /// "Incremental runs"); `nil` for a job that never started, or without fingerprints.
  var fingerprint: String?

  init(index: Int, status: Status, reason: String? = nil, attempts: [AttemptRecord] = []) {
    self.index = index
    self.status = status
    self.reason = reason
    self.attempts = attempts
  }

  /// The last attempt, whose exit and log stand for the job's.
  var lastAttempt: AttemptRecord? { attempts.last }
}

/// One attempt of a job.
public struct AttemptRecord: Sendable {
  /// 1 for the first attempt.
  var attempt: Int
  var status: JobResult.Status
  var exit: AttemptExit
  /// The attempt's log, relative to the run directory.
  var log: String

  init(attempt: Int, status: JobResult.Status, exit: AttemptExit, log: String) {
    self.attempt = attempt
    self.status = status
    self.exit = exit
    self.log = log
  }
}
