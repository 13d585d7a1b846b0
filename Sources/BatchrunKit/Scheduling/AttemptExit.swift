/// How one attempt ended, as the executor saw it.
public struct AttemptExit: Sendable {
  public enum Termination: Sendable, Equatable {
    /// The main process exited with this code.
    case exited(Int32)
    /// The main process was killed by this signal.
    case signaled(Int32)
    /// The job could not be started at all (no such program, no such directory, ...).
    case failedToStart(String)
  }

  var termination: Termination
  var startedAt: WallClock.Instant
  var finishedAt: WallClock.Instant
  /// Bytes the attempt wrote to its log.
  var outputBytes: Int
  /// The executor's name for the attempt: the process id locally, the job id on Slurm;
  /// `nil` if it never started.
  var nativeID: String?
  /// The machine the attempt ran on; `nil` if it never started.
  var host: String?
  /// Why the attempt failed when its exit alone does not say (a Slurm job's node failed,
  /// say); the job's `reason` in the report.
  var reason: String?

  public init(
    termination: Termination, startedAt: WallClock.Instant, finishedAt: WallClock.Instant, outputBytes: Int,
    nativeID: String? = nil, host: String? = nil
  ) {
    self.termination = termination
    self.startedAt = startedAt
    self.finishedAt = finishedAt
    self.outputBytes = outputBytes
    self.nativeID = nativeID
    self.host = host
  }

  var succeeded: Bool { termination == .exited(0) }
}
