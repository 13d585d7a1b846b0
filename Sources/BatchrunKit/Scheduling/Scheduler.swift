import Synchronization

/// Runs a plan: one ready queue, a fixed pool of workers pulling from it, and the
/// failure policy deciding what may still start.
///
/// Each of the `concurrency` workers is a long-lived child task that takes the ready
/// job with the longest remaining path, runs its attempts through the executor (see
/// ``AttemptRunner``), and reports back; finishing a job releases its dependents, judged
/// by their `when` (see ``StartRules``). Observers hear of it through ``EventDelivery``.
/// This type keeps the shared state and parks and wakes the workers.
public final class Scheduler: Sendable {
  let plan: Plan
  let settings: RunSettings
  private let executor: any JobExecutor
  private let launches: LaunchFactory
  private let events: EventDelivery
  private let attempts: AttemptRunner
  private let state: Mutex<State>

  /// A scheduler that runs every selected job.
  public convenience init(
    plan: Plan, settings: RunSettings, executor: any JobExecutor, launches: LaunchFactory,
    observers: [any RunObserver] = []
  ) {
    self.init(
      plan: plan, settings: settings, executor: executor, launches: launches, observers: observers,
      upToDate: nil)
  }

  /// - Parameter upToDate: decides which jobs need not run, and records fingerprints;
  ///   without it every job runs.
  init(
    plan: Plan, settings: RunSettings, executor: any JobExecutor, launches: LaunchFactory,
    observers: [any RunObserver] = [], upToDate: UpToDate?, jobserver: JobserverClient? = nil
  ) {
    self.plan = plan
    self.settings = settings
    self.executor = executor
    self.launches = launches
    events = EventDelivery(jobs: plan.graph.jobs, observers: observers)
    attempts = AttemptRunner(
      executor: executor, launches: launches, defaultTimeout: settings.defaultTimeout, events: events)
    state = Mutex(
      State(
        plan: plan, rules: StartRules(policy: settings.failurePolicy), events: events, upToDate: upToDate,
        jobserver: jobserver,
        budget: ResourceBudget(
          cpus: settings.concurrency, memory: settings.memory, pools: plan.manifest.pools,
          gpuIDs: settings.gpus ?? plan.manifest.gpus)))
  }

  /// What every job ended as, and whether the run was interrupted.
  public struct Outcome: Sendable {
    /// Results of the selected jobs, in manifest order.
    public var results: [JobResult]
    /// The signal that interrupted the run, if one did.
    var interruption: Int32?
  }

  /// Runs every selected job to a final status and returns them.
  public func run() async -> Outcome {
    let workers = max(1, min(settings.concurrency, plan.selected.count))
    await state.withLock({ $0.upToDate })?.ready()
    state.withLock { $0.releaseInitialJobs() }
    events.deliver()
    await withTaskGroup(of: Void.self) { group in
      for slot in 0..<workers {
        group.addTask { await self.work(slot: slot) }
      }
    }
    await executor.drain()
    return state.withLock { state in
      Outcome(results: plan.selected.map { state.results[$0]! }, interruption: state.rules.interruption)
    }
  }

  /// Stops the run for a signal: nothing new starts, running jobs are stopped (SIGTERM,
  /// grace, SIGKILL). A second call kills what is left at once.
  func interrupt(signal: Int32) {
    let (controls, reason) = state.withLock { state in
      (Array(state.running.values), state.rules.interrupt(by: signal))
    }
    guard let reason else { return executor.killAll() }
    for control in controls { control.requestStop(reason) }
    wakeWaiters()
  }

  // MARK: - Workers

  /// A worker: `slot` is its index, the job's `BATCHRUN_SLOT`.
  private func work(slot: Int) async {
    while let (job, control, gpus) = await next() {
      let result = await attempts.run(
        job, job: plan.graph.jobs[job], control: control, slot: slot, gpus: gpus
      ) { record, next in
        self.retry(job, with: next, after: record)
      }
      finish(job, result)
    }
  }

  /// The next job to start, or `nil` once every job is final.
  private func next() async -> (Int, AttemptControl, [String])? {
    enum Step {
      case start(Int, AttemptControl, [String])
      case wait
      case done
    }
    while true {
      var wantsToken = false
      let (step, releasedOthers) = state.withLock { state -> (Step, Bool) in
        var refused = false
        // Ready jobs that do not fit beside the running ones (cpus, memory, a pool, GPUs)
        // wait, and the next one in priority order may start.
        var waiting: [Int] = []
        defer { for job in waiting { state.ready.push(job) } }
        // Refused jobs are final at once, which may make others ready: keep popping.
        while let job = state.ready.pop() {
          if let refusal = state.rules.refusalToStart(plan.graph.jobs[job]) {
            state.finalize(job, JobResult(index: job, status: refusal.status, reason: refusal.reason))
            refused = true
            continue
          }
          guard state.budget.fits(plan.graph.jobs[job]) else {
            waiting.append(job)
            continue
          }
          // Under make's jobserver, a job beyond the one on the implicit slot needs a token.
          var token: UInt8?
          if let jobserver = state.jobserver, state.implicitSlotHolder != nil {
            guard let taken = jobserver.tryAcquire() else {
              waiting.append(job)
              wantsToken = true
              continue
            }
            token = taken
          }
          if let token {
            state.tokens[job] = token
          } else if state.jobserver != nil {
            state.implicitSlotHolder = job
          }
          let control = AttemptControl()
          state.running[job] = control
          // Taken before the job changes anything: its inputs as it starts.
          _ = state.upToDate?.fingerprint(of: job)
          let gpus = state.budget.take(plan.graph.jobs[job])
          state.gpus[job] = gpus
          events.post(
            .attemptStarted(job, attempt: 1, log: launches.logName(for: plan.graph.jobs[job], attempt: 1)))
          return (.start(job, control, gpus), refused && !(state.ready.isEmpty && waiting.isEmpty))
        }
        // Nothing fits until a running job ends.
        state.scanNeeded = false
        return (state.running.isEmpty && waiting.isEmpty ? .done : .wait, false)
      }
      events.deliver()
      // Jobs this worker refused may have readied more than it takes: wake the others.
      if releasedOthers { wakeWaiters() }
      switch step {
      case .start(let job, let control, let gpus): return (job, control, gpus)
      case .done:
        wakeWaiters()
        return nil
      case .wait:
        if wantsToken, let jobserver = state.withLock({ $0.jobserver }) {
          // A token in make's pipe: look again.
          jobserver.whenAvailable { [weak self] in
            guard let self else { return }
            self.state.withLock { $0.scanNeeded = true }
            self.wakeWaiters()
          }
        }
        await waitForWork()
      }
    }
  }

  /// Parks a worker until a job is ready or none is running any more.
  private func waitForWork() async {
    await withCheckedContinuation { continuation in
      let resumeNow = state.withLock { state -> Bool in
        if (!state.ready.isEmpty && state.scanNeeded) || state.running.isEmpty { return true }
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
      let everyone = state.rules.interruption != nil || (state.ready.isEmpty && state.running.isEmpty)
      let count =
        everyone ? state.waiters.count : min(state.waiters.count, max(0, state.ready.count - reserved))
      defer { state.waiters.removeFirst(count) }
      return Array(state.waiters.prefix(count))
    }
    for waiter in waiters { waiter.resume() }
  }

  /// A failed attempt of `job` may be retried: `next` stands for the job from now on.
  /// Returns why it may not retry, or `nil` after queueing the retry event.
  private func retry(_ job: Int, with next: AttemptControl, after record: AttemptRecord)
    -> AttemptControl.StopReason?
  {
    state.withLock { state in
      state.running[job] = next
      let refusal = state.rules.retryRefusal(for: job)
      if refusal == nil { events.post(.attemptWillRetry(job, record: record)) }
      return refusal
    }
  }

  private func finish(_ job: Int, _ result: JobResult) {
    state.withLock { state in
      state.running[job] = nil
      state.budget.release(plan.graph.jobs[job], gpus: state.gpus.removeValue(forKey: job) ?? [])
      // Every ending gives the job's token back, or frees the implicit slot.
      if let token = state.tokens.removeValue(forKey: job) { state.jobserver?.release(token) }
      if state.implicitSlotHolder == job { state.implicitSlotHolder = nil }
      state.scanNeeded = true
      state.finalize(job, result)
      // Under the lock, before any observer can hear of the failure: once the failure is
      // announced, every job that was running has been asked to stop (the handlers only
      // send a signal or start a task).
      if let reason = state.rules.failFast(stopping: state.running.keys) {
        for control in state.running.values { control.requestStop(reason) }
      }
    }
    events.deliver()
    // The worker that finished takes the next ready job itself.
    wakeWaiters(reserved: 1)
  }
}

extension Scheduler {
  /// The scheduler's mutable state, only touched under its lock.
  fileprivate struct State {
    let plan: Plan
    let events: EventDelivery
    var results: [Int: JobResult] = [:]
    var remainingNeeds: [Int]
    var ready: ReadyQueue
    var running: [Int: AttemptControl] = [:]
    var waiters: [CheckedContinuation<Void, Never>] = []
    var rules: StartRules
    var budget: ResourceBudget
    /// Decides which jobs need not run, and records fingerprints; `nil`: every job runs.
    let upToDate: UpToDate?
    /// make's jobserver, when batchrun runs under one.
    let jobserver: JobserverClient?
    /// The job running on the implicit slot (under a jobserver): it holds no token.
    var implicitSlotHolder: Int?
    /// The token each other running job holds.
    var tokens: [Int: UInt8] = [:]
    /// The GPU ids each running job holds.
    var gpus: [Int: [String]] = [:]
    /// Something changed (a job became ready, or one ended and gave back what it held)
    /// since a worker last found that no ready job fits.
    var scanNeeded = true

    init(
      plan: Plan, rules: StartRules, events: EventDelivery, upToDate: UpToDate?, jobserver: JobserverClient?,
      budget: ResourceBudget
    ) {
      self.plan = plan
      self.jobserver = jobserver
      self.upToDate = upToDate
      self.rules = rules
      self.events = events
      self.budget = budget
      remainingNeeds = plan.graph.needs.map { _ in 0 }
      ready = ReadyQueue(plan: plan)
      for job in plan.selected {
        remainingNeeds[job] = plan.graph.needs[job].count
      }
    }

    /// Judges the jobs that need nothing (an `on-failure` one is skipped at once) and
    /// queues the others.
    mutating func releaseInitialJobs() {
      // Taken first: finalizing one of them (a skipped on-failure job) releases its
      // dependents itself, and they must not be released twice.
      let initial = plan.selected.filter { remainingNeeds[$0] == 0 }
      for job in initial {
        if let refused = judged(job) { finalize(job, refused) }
      }
    }

    /// Records a job's final result (posting its event) and releases its dependents,
    /// judging each one's `when` once all its needs are final; a worklist, not recursion,
    /// so that long chains of skipped jobs cannot overflow a stack.
    mutating func finalize(_ job: Int, _ result: JobResult) {
      var work = [(job, result)]
      while let (job, finished) = work.popLast() {
        var result = finished
        if let upToDate {
          result.fingerprint = upToDate.computed(job)
          if result.status == .succeeded { upToDate.succeeded(job) }
        }
        results[job] = result
        events.post(.jobFinished(job, result))
        rules.finished(plan.graph.jobs[job], status: result.status)
        for dependent in plan.graph.dependents[job] where plan.isSelected[dependent] {
          remainingNeeds[dependent] -= 1
          guard remainingNeeds[dependent] == 0 else { continue }
          if let refused = judged(dependent) { work.append((dependent, refused)) }
        }
      }
    }

    /// A job whose needs are all final: queued to run (`nil`), or the result its `when`
    /// gives it at once.
    mutating func judged(_ job: Int) -> JobResult? {
      let graph = plan.graph
      let results = results
      let needs = graph.needs[job].lazy.map {
        StartRules.Need(
          id: graph.jobs[$0].id, allowFailure: graph.jobs[$0].allowFailure, status: results[$0]!.status)
      }
      guard let refusal = rules.judge(graph.jobs[job], needs: needs) else {
        if let reason = upToDate?.reason(toSkip: job) {
          return JobResult(index: job, status: .upToDate, reason: reason)
        }
        ready.push(job)
        scanNeeded = true
        return nil
      }
      return JobResult(index: job, status: refusal.status, reason: refusal.reason)
    }
  }
}
