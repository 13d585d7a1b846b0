import Glibc

/// How an attempt ended on Slurm, in the terms of a local one: the README's state table
/// ("Running on a Slurm cluster") turned into a termination, a reason and whether Slurm's
/// own time limit ended it.
struct SlurmOutcome: Sendable, Equatable {
  var termination: AttemptExit.Termination
  /// Why it failed, when the exit alone does not say (NODE_FAIL, OUT_OF_MEMORY, a cancel
  /// batchrun did not send...).
  var reason: String?
  /// Slurm ended it for its time limit (TIMEOUT): the attempt is `timed_out`.
  var timedOut = false

  /// The outcome of a job whose final record is `record`; `cancelledByBatchrun` when
  /// batchrun sent the `scancel` (a timeout, a stop), so that a CANCELLED is not a failure
  /// of its own.
  init(_ record: SlurmJobRecord, cancelledByBatchrun: Bool) {
    let killed: AttemptExit.Termination =
      record.signal > 0 && record.signal < 65 ? .signaled(record.signal) : .signaled(SIGKILL)
    switch record.state {
    case "COMPLETED":
      termination = .exited(record.exitCode)
    case "FAILED":
      if record.signal > 0 {
        termination = .signaled(record.signal)
      } else if record.exitCode != 0 {
        termination = .exited(record.exitCode)
      } else {
        termination = .failedToStart("Slurm: FAILED (\(record.reason))")
        reason = "Slurm reports FAILED (\(record.reason)) with exit code 0"
      }
    case "TIMEOUT":
      termination = record.signal > 0 ? .signaled(record.signal) : .signaled(SIGTERM)
      reason = "Slurm's time limit ended it (TIMEOUT)"
      timedOut = true
    case "CANCELLED":
      termination = record.signal > 0 ? .signaled(record.signal) : .signaled(SIGTERM)
      if !cancelledByBatchrun {
        reason = "cancelled outside batchrun (scancel by a user or an administrator)"
      }
    default:
      termination = record.exitCode != 0 ? .exited(record.exitCode) : killed
      reason = "Slurm reports \(record.state): \(Self.explanation[record.state] ?? record.reason)"
    }
  }

  init(termination: AttemptExit.Termination, reason: String?, timedOut: Bool = false) {
    self.termination = termination
    self.reason = reason
    self.timedOut = timedOut
  }

  private static let explanation = [
    "NODE_FAIL": "its node failed",
    "BOOT_FAIL": "its node failed to boot",
    "OUT_OF_MEMORY": "it used more memory than it asked for",
    "PREEMPTED": "a job of higher priority preempted it",
    "DEADLINE": "it reached its deadline",
  ]
}
