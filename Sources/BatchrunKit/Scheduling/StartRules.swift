/// What may start now: the failure policy, each job's `when`, an interruption and
/// --fail-fast, as rules the scheduler asks at three moments: when a job's needs are all
/// final, when a worker takes a ready job, and before a failed attempt is retried.
///
/// A plain value with no lock, clock or task: the scheduler keeps one under its lock and
/// tells it what happened (a signal, a job's final status); the answers depend on that
/// alone, which is what the table tests check.
struct StartRules: Sendable {
  /// Why a job does not start, as the result it gets instead.
  struct Refusal: Sendable, Equatable {
    var status: JobResult.Status
    var reason: String
  }

  /// A finished need of a job, as the job's `when` sees it.
  struct Need: Sendable {
    var id: String
    var allowFailure: Bool
    var status: JobResult.Status
  }

  let policy: FailurePolicy
  /// The signal that interrupted the run, if one did.
  private(set) var interruption: Int32?
  /// The first job whose failure triggers the failure policy.
  private(set) var failedJob: String?
  /// --fail-fast has stopped the jobs that were running at the first failure.
  private var failFastStopped = false
  /// The jobs running when --fail-fast stopped the run: they may not retry.
  private var stoppedByFailFast: Set<Int> = []

  init(policy: FailurePolicy) {
    self.policy = policy
  }

  // MARK: - What happened

  /// Records a signal. Returns why the running jobs stop, or `nil` when the run was
  /// already interrupted (the first signal stands; a second one kills at once).
  mutating func interrupt(by signal: Int32) -> AttemptControl.StopReason? {
    guard interruption == nil else { return nil }
    interruption = signal
    return .cancelled(Self.interrupted(by: signal))
  }

  /// Records a job's final status: the first failure of a job that may not fail is the
  /// one the failure policy reacts to.
  mutating func finished(_ job: Job, status: JobResult.Status) {
    if failedJob == nil, status.isFailure, !job.allowFailure { failedJob = job.id }
  }

  /// Under --fail-fast, once a job has failed: why the `running` jobs stop, the first
  /// time it is asked; they may not retry after it. `nil` otherwise.
  mutating func failFast(stopping running: some Sequence<Int>) -> AttemptControl.StopReason? {
    guard policy == .failFast, let failedJob, !failFastStopped else { return nil }
    failFastStopped = true
    stoppedByFailFast = Set(running)
    return .cancelled(Self.failFast(after: failedJob))
  }

  // MARK: - What may start

  /// Whether a job whose needs are all final may run, by its `when`: `nil` if it may,
  /// else the result it gets at once. An allowed failure counts as a success.
  func judge(_ job: Job, needs: some Sequence<Need>) -> Refusal? {
    if let interruption { return Self.notStarted(by: interruption) }
    var failedNeed: String?
    var unsuccessfulNeed: Need?
    for need in needs {
      let allowed = need.allowFailure && need.status.isFailure
      if need.status.isFailure, !allowed, failedNeed == nil {
        failedNeed = need.id
      }
      if !need.status.countsAsSuccess, !allowed, unsuccessfulNeed == nil {
        unsuccessfulNeed = need
      }
    }
    switch job.condition {
    case .always:
      return nil
    case .onFailure:
      return failedNeed == nil
        ? Refusal(status: .skipped, reason: "when: on-failure, and no need failed") : nil
    case .onSuccess:
      guard let need = unsuccessfulNeed else { return nil }
      let verb =
        switch need.status {
        case .failed: "failed"
        case .timedOut: "timed out"
        case .cancelled: "was cancelled"
        case .skipped: "was skipped"
        case .succeeded, .upToDate: "succeeded"
        }
      return Refusal(status: .skipped, reason: "need '\(need.id)' \(verb)")
    }
  }

  /// Why a ready job may not start now: the run was interrupted, or a job failed and the
  /// policy lets only `always` and `on-failure` jobs start.
  func refusalToStart(_ job: Job) -> Refusal? {
    if let interruption { return Self.notStarted(by: interruption) }
    if failedJob != nil, policy != .keepGoing, job.condition == .onSuccess {
      return Refusal(status: .skipped, reason: Self.stoppedAfterFailure)
    }
    return nil
  }

  /// Why a job whose attempt failed may not retry: the run was interrupted, or
  /// --fail-fast stopped the run while the job was running.
  func retryRefusal(for job: Int) -> AttemptControl.StopReason? {
    if let interruption { return .cancelled(Self.interrupted(by: interruption)) }
    if stoppedByFailFast.contains(job), let failedJob { return .cancelled(Self.failFast(after: failedJob)) }
    return nil
  }

  // MARK: - Reasons, as the report says them

  private static func interrupted(by signal: Int32) -> String { "interrupted by \(SignalName.of(signal))" }

  static func failFast(after job: String) -> String { "stopped by --fail-fast after '\(job)' failed" }

  /// A job that was not started because a failure stopped the run.
  static let stoppedAfterFailure = "not started: the run stopped after a failure"

  private static func notStarted(by signal: Int32) -> Refusal {
    Refusal(status: .cancelled, reason: "not started: batchrun was " + interrupted(by: signal))
  }
}
