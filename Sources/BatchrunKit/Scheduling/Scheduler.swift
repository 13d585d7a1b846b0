import Synchronization

/// Runs a plan: one ready queue, a fixed pool of workers pulling from it, and the
/// failure policy deciding what may still start.
///
/// Each of the `concurrency` workers is a long-lived child task that takes the ready
/// job with the longest remaining path, runs its attempts through the executor, and
/// reports back; finishing a job releases its dependents, judged by their `when`.
public final class Scheduler: Sendable {
  public let plan: Plan
  public let settings: RunSettings
  private let executor: any JobExecutor
  private let launches: LaunchFactory
  private let observers: [any RunObserver]
  private let state: Mutex<State>

  public init(
    plan: Plan, settings: RunSettings, executor: any JobExecutor, launches: LaunchFactory,
    observers: [any RunObserver] = []
  ) {
    self.plan = plan
    self.settings = settings
    self.executor = executor
    self.launches = launches
    self.observers = observers
    self.state = Mutex(State(plan: plan, policy: settings.failurePolicy))
  }

  /// What every job ended as, and whether the run was interrupted.
  public struct Outcome: Sendable {
    /// Results of the selected jobs, in manifest order.
    public var results: [JobResult]
    /// The signal that interrupted the run, if one did.
    public var interruption: Int32?
  }

  /// Runs every selected job to a final status and returns them.
  public func run() async -> Outcome {
    state.withLock { $0.releaseInitialJobs(plan: plan) }
    deliverEvents()
    let workers = max(1, min(settings.concurrency, plan.selected.count))
    await withTaskGroup(of: Void.self) { group in
      for _ in 0..<workers {
        group.addTask { await self.work() }
      }
    }
    await executor.drain()
    return state.withLock { state in
      Outcome(results: plan.selected.map { state.results[$0]! }, interruption: state.interruption)
    }
  }

  /// Stops the run for a signal: nothing new starts, running jobs are stopped (SIGTERM,
  /// grace, SIGKILL). A second call kills what is left at once.
  public func interrupt(signal: Int32) {
    let (controls, again) = state.withLock { state -> ([AttemptControl], Bool) in
      let again = state.interruption != nil
      if !again { state.interruption = signal }
      return (Array(state.running.values), again)
    }
    if again {
      executor.killAll()
    } else {
      for control in controls { control.requestStop(.cancelled(Reason.interrupted(by: signal))) }
      wakeWaiters()
    }
  }

  // MARK: - Workers

  private func work() async {
    while let (job, control) = await next() {
      let result = await runAttempts(of: job, control: control)
      finish(job, result)
    }
  }

  /// The next job to start, or `nil` once every job is final.
  private func next() async -> (Int, AttemptControl)? {
    enum Step {
      case start(Int, AttemptControl)
      case wait
      case done
    }
    while true {
      let (step, releasedOthers) = state.withLock { state -> (Step, Bool) in
        var refused = false
        // Refused jobs are final at once, which may make others ready: keep popping.
        while let job = state.ready.pop() {
          if let refusal = state.refusal(for: plan.graph.jobs[job]) {
            state.finalize(
              job, JobResult(index: job, status: refusal.status, reason: refusal.reason), plan: plan)
            refused = true
            continue
          }
          let control = AttemptControl()
          state.running[job] = control
          state.events.append(
            .attemptStarted(job, attempt: 1, log: launches.logName(for: plan.graph.jobs[job], attempt: 1)))
          return (.start(job, control), refused && !state.ready.isEmpty)
        }
        return (state.running.isEmpty ? .done : .wait, false)
      }
      deliverEvents()
      // Jobs this worker refused may have readied more than it takes: wake the others.
      if releasedOthers { wakeWaiters() }
      switch step {
      case .start(let job, let control): return (job, control)
      case .done:
        wakeWaiters()
        return nil
      case .wait: await waitForWork()
      }
    }
  }

  /// Parks a worker until a job is ready or none is running any more.
  private func waitForWork() async {
    await withCheckedContinuation { continuation in
      let resumeNow = state.withLock { state -> Bool in
        if !state.ready.isEmpty || state.running.isEmpty { return true }
        state.waiters.append(continuation)
        return false
      }
      if resumeNow { continuation.resume() }
    }
  }

  /// Resumes parked workers: one for each ready job beyond the `reserved` ones the
  /// caller takes itself, or all of them once the run is interrupted or nothing is
  /// left to run (so that they see it and stop).
  private func wakeWaiters(reserved: Int = 0) {
    let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
      let everyone = state.interruption != nil || (state.ready.isEmpty && state.running.isEmpty)
      let count =
        everyone ? state.waiters.count : min(state.waiters.count, max(0, state.ready.count - reserved))
      defer { state.waiters.removeFirst(count) }
      return Array(state.waiters.prefix(count))
    }
    for waiter in waiters { waiter.resume() }
  }

  private func finish(_ job: Int, _ result: JobResult) {
    let (stopping, cause) = state.withLock { state -> ([AttemptControl], Int?) in
      state.running[job] = nil
      let firstFailure = state.failedJob == nil
      state.finalize(job, result, plan: plan)
      guard firstFailure, state.failedJob != nil, state.policy == .failFast else { return ([], nil) }
      state.stoppedByFailFast = Set(state.running.keys)
      return (Array(state.running.values), state.failedJob)
    }
    if let cause {
      let reason = Reason.failFast(after: plan.graph.jobs[cause])
      for control in stopping { control.requestStop(.cancelled(reason)) }
    }
    deliverEvents()
    // The worker that finished takes the next ready job itself.
    wakeWaiters(reserved: 1)
  }

  /// Tells observers what happened, in the order it happened under the lock: a job's
  /// need is always heard finishing before the job is heard starting.
  ///
  /// One worker delivers at a time. A worker that finds another delivering leaves its
  /// events to it (the deliverer drains the queue before it stops) instead of waiting.
  private func deliverEvents() {
    var delivering = false
    while true {
      let events = state.withLock { state -> [Event]? in
        if !delivering {
          if state.delivering { return nil }
          state.delivering = true
          delivering = true
        }
        if state.events.isEmpty {
          state.delivering = false
          return nil
        }
        defer { state.events = [] }
        return state.events
      }
      guard let events else { return }
      for event in events {
        switch event {
        case .attemptStarted(let job, let attempt, let log):
          for observer in observers {
            observer.attemptStarted(plan.graph.jobs[job], attempt: attempt, log: log)
          }
        case .attemptWillRetry(let job, let record):
          for observer in observers { observer.attemptWillRetry(plan.graph.jobs[job], record: record) }
        case .jobFinished(let job, let result):
          for observer in observers { observer.jobFinished(plan.graph.jobs[job], result: result) }
        }
      }
    }
  }

  // MARK: - Attempts

  private func runAttempts(of index: Int, control firstControl: AttemptControl) async -> JobResult {
    let job = plan.graph.jobs[index]
    var records: [AttemptRecord] = []
    var control = firstControl
    var stoppedWhileWaiting = false
    let timeout = job.timeout ?? settings.defaultTimeout
    // Counted up from 1 with no upper bound: the guard below ends the loop after attempt
    // `retries + 1`, and no value of `retries` (negative, or `Int.max` from a `Job` built
    // in code) can make the range itself trap.
    for attempt in 1... {
      let launch = launches.launch(for: job, attempt: attempt)
      let log = launches.logName(for: job, attempt: attempt)
      if attempt > 1 {
        state.withLock { $0.events.append(.attemptStarted(index, attempt: attempt, log: log)) }
        deliverEvents()
      }
      let timer = timeout.map { [control] limit in
        Task {
          try await Task.sleep(for: limit)
          control.requestStop(.timedOut)
        }
      }
      let exit = await executor.execute(launch, control: control)
      timer?.cancel()
      let status: JobResult.Status
      switch control.stopReason {
      case _ where exit.succeeded: status = .succeeded
      case .timedOut: status = .timedOut
      case .cancelled: status = .cancelled
      case nil: status = .failed
      }
      let record = AttemptRecord(attempt: attempt, status: status, exit: exit, log: log)
      records.append(record)
      guard status.isFailure, attempt <= job.retries else { break }
      // The next attempt's control stands for the job from now on, so that a signal or
      // --fail-fast during the retry delay ends the wait and the job.
      let next = AttemptControl()
      let refusal = state.withLock { state -> AttemptControl.StopReason? in
        state.running[index] = next
        let refusal = state.retryRefusal(for: index, plan: plan)
        if refusal == nil { state.events.append(.attemptWillRetry(index, record: record)) }
        return refusal
      }
      deliverEvents()
      control = next
      if let refusal {
        next.requestStop(refusal)
      } else {
        await pause(job.retryDelay, unlessStopped: next)
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
    return JobResult(index: index, status: records.last!.status, attempts: records)
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

extension Scheduler {
  /// Why jobs are cancelled, as the report says it.
  fileprivate enum Reason {
    static func interrupted(by signal: Int32) -> String { "interrupted by \(SignalName.of(signal))" }

    static func failFast(after job: Job) -> String { "stopped by --fail-fast after '\(job.id)' failed" }
  }

  /// Something observers hear about, queued under the lock and delivered in order.
  fileprivate enum Event {
    case attemptStarted(Int, attempt: Int, log: String)
    case attemptWillRetry(Int, record: AttemptRecord)
    case jobFinished(Int, JobResult)
  }

  /// The scheduler's mutable state, only touched under its lock.
  fileprivate struct State {
    var results: [Int: JobResult] = [:]
    var remainingNeeds: [Int]
    var ready: ReadyQueue
    var running: [Int: AttemptControl] = [:]
    var waiters: [CheckedContinuation<Void, Never>] = []
    var events: [Event] = []
    /// A worker is calling observers: it delivers every event queued until it stops.
    var delivering = false
    var interruption: Int32?
    /// The first job whose failure triggers the failure policy.
    var failedJob: Int?
    /// The jobs running when --fail-fast stopped the run: they may not retry.
    var stoppedByFailFast: Set<Int> = []
    let policy: FailurePolicy

    init(plan: Plan, policy: FailurePolicy) {
      self.policy = policy
      remainingNeeds = plan.graph.needs.map { _ in 0 }
      ready = ReadyQueue(plan: plan)
      for job in plan.selected {
        remainingNeeds[job] = plan.graph.needs[job].count
      }
    }

    /// Judges the jobs that need nothing (an `on-failure` one is skipped at once) and
    /// queues the others.
    mutating func releaseInitialJobs(plan: Plan) {
      // Taken first: finalizing one of them (a skipped on-failure job) releases its
      // dependents itself, and they must not be released twice.
      let initial = plan.selected.filter { remainingNeeds[$0] == 0 }
      for job in initial {
        if let refused = judged(job, plan: plan) { finalize(job, refused, plan: plan) }
      }
    }

    /// Why a job that failed an attempt may not retry: the run was interrupted, or
    /// --fail-fast stopped the run while the job was running.
    func retryRefusal(for job: Int, plan: Plan) -> AttemptControl.StopReason? {
      if let signal = interruption { return .cancelled(Reason.interrupted(by: signal)) }
      if stoppedByFailFast.contains(job), let failed = failedJob {
        return .cancelled(Reason.failFast(after: plan.graph.jobs[failed]))
      }
      return nil
    }

    /// Why a ready job may not start now, as the result to give it instead.
    func refusal(for job: Job) -> (status: JobResult.Status, reason: String)? {
      if let signal = interruption {
        return (.cancelled, "not started: batchrun was " + Reason.interrupted(by: signal))
      }
      if failedJob != nil, policy != .keepGoing, job.condition == .onSuccess {
        return (.skipped, "not started: the run stopped after a failure")
      }
      return nil
    }

    /// Records a job's final result (queueing its event) and releases its dependents,
    /// judging each one's `when` once all its needs are final; a worklist, not recursion,
    /// so that long chains of skipped jobs cannot overflow a stack.
    mutating func finalize(_ job: Int, _ result: JobResult, plan: Plan) {
      var work = [(job, result)]
      while let (job, result) = work.popLast() {
        results[job] = result
        events.append(.jobFinished(job, result))
        if failedJob == nil, result.status.isFailure,
          !plan.graph.jobs[job].allowFailure
        {
          failedJob = job
        }
        for dependent in plan.graph.dependents[job] where plan.isSelected[dependent] {
          remainingNeeds[dependent] -= 1
          guard remainingNeeds[dependent] == 0 else { continue }
          if let refused = judged(dependent, plan: plan) { work.append((dependent, refused)) }
        }
      }
    }

    /// A job whose needs are all final: queued to run (`nil`), or the result its `when`
    /// gives it at once.
    mutating func judged(_ job: Int, plan: Plan) -> JobResult? {
      guard let refusal = judge(job, plan: plan) else {
        ready.push(job)
        return nil
      }
      return JobResult(index: job, status: refusal.status, reason: refusal.reason)
    }

    /// Whether a job whose needs are all final may run, by its `when`; if not, its result.
    func judge(_ job: Int, plan: Plan) -> (status: JobResult.Status, reason: String)? {
      let definition = plan.graph.jobs[job]
      if let signal = interruption {
        return (.cancelled, "not started: batchrun was " + Reason.interrupted(by: signal))
      }
      var failedNeed: String?
      var unsuccessfulNeed: (String, JobResult.Status)?
      for need in plan.graph.needs[job] {
        let status = results[need]!.status
        let allowed = plan.graph.jobs[need].allowFailure && status.isFailure
        if status.isFailure, !allowed, failedNeed == nil {
          failedNeed = plan.graph.jobs[need].id
        }
        if status != .succeeded, !allowed, unsuccessfulNeed == nil {
          unsuccessfulNeed = (plan.graph.jobs[need].id, status)
        }
      }
      switch definition.condition {
      case .always:
        return nil
      case .onFailure:
        return failedNeed == nil ? (.skipped, "when: on-failure, and no need failed") : nil
      case .onSuccess:
        guard let (need, status) = unsuccessfulNeed else { return nil }
        let verb =
          switch status {
          case .failed: "failed"
          case .timedOut: "timed out"
          case .cancelled: "was cancelled"
          case .skipped: "was skipped"
          case .succeeded: "succeeded"
          }
        return (.skipped, "need '\(need)' \(verb)")
      }
    }
  }
}
