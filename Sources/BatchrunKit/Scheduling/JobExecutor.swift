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
}
