import Synchronization

/// Tells a run's observers what happened, one call at a time, in the order it was posted.
///
/// The scheduler posts while it holds its own lock, so that the order is the order
/// things happened there: a job's need is always heard finishing before the job is heard
/// starting. Whoever posted calls ``deliver()`` once it has let go of that lock. One
/// caller delivers at a time; one that finds another delivering leaves its events to it
/// (the deliverer drains the queue before it stops) instead of waiting.
final class EventDelivery: Sendable {
  /// Something observers hear about; jobs by their index in the manifest.
  enum Event: Sendable {
    case attemptStarted(Int, attempt: Int, log: String)
    case attemptWillRetry(Int, record: AttemptRecord)
    case jobFinished(Int, JobResult)
  }

  private struct Queue {
    var events: [Event] = []
    /// A caller is calling observers: it delivers every event queued until it stops.
    var delivering = false
  }

  private let jobs: [Job]
  private let observers: [any RunObserver]
  private let queue = Mutex(Queue())

  /// - Parameter jobs: the manifest's jobs, which events name by index.
  init(jobs: [Job], observers: [any RunObserver]) {
    self.jobs = jobs
    self.observers = observers
  }

  /// Queues `event` behind those posted before it. Never calls an observer, so it may
  /// be called under any lock (the scheduler's, in practice).
  func post(_ event: Event) {
    queue.withLock { $0.events.append(event) }
  }

  /// Calls the observers with every event queued, unless another caller is doing so: it
  /// will deliver these too.
  func deliver() {
    var delivering = false
    while true {
      let events = queue.withLock { queue -> [Event]? in
        if !delivering {
          if queue.delivering { return nil }
          queue.delivering = true
          delivering = true
        }
        if queue.events.isEmpty {
          queue.delivering = false
          return nil
        }
        defer { queue.events = [] }
        return queue.events
      }
      guard let events else { return }
      for event in events { tell(event) }
      for observer in observers { observer.delivered() }
    }
  }

  private func tell(_ event: Event) {
    switch event {
    case .attemptStarted(let job, let attempt, let log):
      for observer in observers { observer.attemptStarted(jobs[job], attempt: attempt, log: log) }
    case .attemptWillRetry(let job, let record):
      for observer in observers { observer.attemptWillRetry(jobs[job], record: record) }
    case .jobFinished(let job, let result):
      for observer in observers { observer.jobFinished(jobs[job], result: result) }
    }
  }
}
