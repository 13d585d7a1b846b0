/// Receives a run's events as they happen: the console and the journal are observers.
///
/// Methods are called from the workers' tasks, concurrently: implementations synchronise.
public protocol RunObserver: Sendable {
  /// An attempt of `job` is about to start.
  func attemptStarted(_ job: Job, attempt: Int, log: String)
  /// An attempt ended and another will follow after the retry delay.
  func attemptWillRetry(_ job: Job, record: AttemptRecord)
  /// A job reached its final status (also for jobs skipped or cancelled without starting).
  func jobFinished(_ job: Job, result: JobResult)
  /// The events posted so far have all been heard: a moment to write what was kept.
  func delivered()
}

extension RunObserver {
  func attemptStarted(_ job: Job, attempt: Int, log: String) {}
  func attemptWillRetry(_ job: Job, record: AttemptRecord) {}
  func jobFinished(_ job: Job, result: JobResult) {}
  public func delivered() {}
}
