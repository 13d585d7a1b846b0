/// Runs job attempts somewhere: local processes now, other backends later.
///
/// The scheduler knows nothing of processes: it hands an executor a ``JobLaunch`` and
/// gets back an ``AttemptExit``. A stop asked for through the ``AttemptControl`` ends the
/// attempt (for local processes: SIGTERM to the job's group, the grace, SIGKILL).
public protocol JobExecutor: Sendable {
  /// Runs one attempt to its end and reports how it ended; never throws for a job's failure.
  func execute(_ launch: JobLaunch, control: AttemptControl) async -> AttemptExit

  /// Stops everything at once, without a grace period (a second Ctrl-C).
  func killAll()

  /// Returns once nothing any attempt started is still running.
  func drain() async

  /// The executor's name in the report (`executor`): `local`, `slurm`.
  var name: String { get }

  /// Why the executor itself failed (its backend could not be reached), if it did: the run
  /// then exits 70 and says so, and no job is blamed for it.
  var failure: (any Error)? { get }

  /// How many started attempts wait in a queue for somewhere to run (a cluster's), if
  /// the executor has one: the status line shows them apart from the running ones.
  var queuedCount: Int? { get }
}

extension JobExecutor {
  public var name: String { "local" }
  public var failure: (any Error)? { nil }
  public var queuedCount: Int? { nil }
}
