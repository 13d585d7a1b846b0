/// Runs one job's attempts through the executor: each attempt under its timeout, then
/// the retry delay and the next attempt while the job fails and has retries left.
///
/// Whether a retry may happen is the scheduler's to say (an interruption or --fail-fast
/// forbids it); the runner asks through the `retry` closure of ``run(_:job:control:retry:)``.
struct AttemptRunner: Sendable {
  let executor: any JobExecutor
  let launches: LaunchFactory
  /// The timeout of jobs that set none.
  let defaultTimeout: Duration?
  let events: EventDelivery

  /// Runs attempts of `job` (manifest index `index`) until one succeeds, the retries run
  /// out, or the job is stopped, and returns the job's result. `control` stands for the
  /// first attempt, whose start the caller has already announced.
  ///
  /// - Parameter retry: called after a failed attempt that has a retry left, with that
  ///   attempt's record and the control of the next one, which stands for the job from
  ///   then on (so that a signal or --fail-fast during the delay ends the wait and the
  ///   job). Returns why the job may not retry, or `nil` after queueing the retry event.
  func run(
    _ index: Int, job: Job, control firstControl: AttemptControl, slot: Int = 0, gpus: [String] = [],
    retry: (AttemptRecord, AttemptControl) -> AttemptControl.StopReason?
  ) async -> JobResult {
    var records: [AttemptRecord] = []
    var control = firstControl
    var stoppedWhileWaiting = false
    let timeout = job.timeout ?? defaultTimeout
    // Counted up from 1 with no upper bound: the guard below ends the loop after attempt
    // `retries + 1`, and no value of `retries` (negative, or `Int.max` from a `Job` built
    // in code) can make the range itself trap.
    for attempt in 1... {
      let launch = launches.launch(for: job, attempt: attempt, slot: slot, gpus: gpus)
      let log = launches.logName(for: job, attempt: attempt)
      if attempt > 1 {
        events.post(.attemptStarted(index, attempt: attempt, log: log))
        events.deliver()
      }
      let record = await run(launch, control: control, timeout: timeout, log: log)
      records.append(record)
      guard record.status.isFailure, attempt <= job.retries,
        job.retryPolicy.retries(status: record.status, exitCode: Self.exitCode(of: record.exit))
      else { break }
      let next = AttemptControl()
      let refusal = retry(record, next)
      events.deliver()
      control = next
      if let refusal {
        next.requestStop(refusal)
      } else {
        await pause(job.retryDelay(after: attempt), unlessStopped: next)
      }
      if next.stopReason != nil {
        stoppedWhileWaiting = true
        break
      }
    }
    if case .cancelled(let why) = control.stopReason,
      stoppedWhileWaiting || records.last!.status == .cancelled
    {
      return JobResult(index: index, status: .cancelled, reason: why, attempts: records)
    }
    let last = records.last!
    return JobResult(
      index: index, status: last.status, reason: last.status.isFailure ? last.exit.reason : nil,
      attempts: records)
  }

  /// Runs one attempt, stopped as timed out after `timeout`, and judges how it ended.
  private func run(
    _ launch: JobLaunch, control: AttemptControl, timeout: Duration?, log: String
  ) async -> AttemptRecord {
    let timer = timeout.map { limit in
      Task {
        try await Task.sleep(for: limit)
        control.requestStop(.timedOut)
      }
    }
    let exit = await executor.execute(launch, control: control)
    timer?.cancel()
    // An attempt stopped for its timeout or a cancel ends as that, whatever it exited
    // with (a job may catch SIGTERM and exit 0 without having done its work); one that
    // had ended before the stop reached it ends as its exit says.
    let status: JobResult.Status
    switch control.deliveredStopReason {
    case .timedOut: status = .timedOut
    case .cancelled: status = .cancelled
    case nil: status = exit.succeeded ? .succeeded : .failed
    }
    return AttemptRecord(attempt: launch.attempt, status: status, exit: exit, log: log)
  }

  /// The exit code `retry-on` judges: a job that could not start counts as 127.
  static func exitCode(of exit: AttemptExit) -> Int? {
    switch exit.termination {
    case .exited(let code): Int(code)
    case .failedToStart: 127
    case .signaled: nil
    }
  }

  /// Sleeps for a retry delay; a stop request ends the sleep at once.
  private func pause(_ delay: Duration, unlessStopped control: AttemptControl) async {
    guard delay > .zero else { return }
    let sleeper = Task { try? await Task.sleep(for: delay) }
    control.onStop { sleeper.cancel() }
    await sleeper.value
    control.onStop(nil)
  }
}
