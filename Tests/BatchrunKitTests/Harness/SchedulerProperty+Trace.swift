@testable import BatchrunKit
import Glibc
import Synchronization

extension SchedulerProperty {
  /// What one scripted attempt does if nothing stops it first.
  enum Ending: Sendable, Equatable, CustomStringConvertible {
    case exits(Int32)
    case killed(Int32)
    case failsToStart
    /// Runs until stopped (by its job's timeout, or by --fail-fast).
    case hangs

    var termination: AttemptExit.Termination {
      switch self {
      case .exits(let code): .exited(code)
      case .killed(let signal): .signaled(signal)
      case .failsToStart: .failedToStart("scripted: cannot start")
      // Only reached if nothing stopped a hanging attempt in time: a distinctive exit
      // code, which the model reports.
      case .hangs: .exited(SchedulerProperty.unstoppedHangExitCode)
      }
    }

    var description: String {
      switch self {
      case .exits(let code): "exit\(code)"
      case .killed(let signal): "sig\(signal)"
      case .failsToStart: "nostart"
      case .hangs: "hang"
      }
    }
  }

  /// A hanging attempt that nothing stopped ends after 3 s with this exit code.
  static let unstoppedHangExitCode: Int32 = 99

  /// One scripted attempt: how it ends and how long it takes.
  struct ScriptedAttempt: Sendable, CustomStringConvertible {
    var ending: Ending
    var duration: Duration

    var description: String {
      let milliseconds =
        duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
      return ending == .hangs ? "hang" : "\(ending)/\(milliseconds)ms"
    }
  }

  /// How an attempt's end was decided.
  enum Decision: Sendable, Equatable, CustomStringConvertible {
    /// Its script ran out (exit, signal, could not start).
    case natural(AttemptExit.Termination)
    /// A stop request came first; the reason is the control's at that moment.
    case stopped(AttemptControl.StopReason)

    /// Whether a stop request that cancels the attempt (not its timeout) ended it.
    var isCancellation: Bool {
      if case .stopped(.cancelled) = self { return true }
      return false
    }

    var description: String {
      switch self {
      case .natural(let termination): "natural \(termination)"
      case .stopped(.timedOut): "stopped (timeout)"
      case .stopped(.cancelled(let why)): "stopped (\(why))"
      }
    }
  }

  /// One event of a traced run. ``seq`` numbers the executor's and the observer's
  /// events in one global order (each is taken under one lock when it happens).
  struct Event: Sendable, CustomStringConvertible {
    enum Kind: Sendable, Equatable {
      /// The executor began an attempt.
      case began(attempt: Int)
      /// How the attempt ends was decided (its script ran out, or a stop came first).
      case decided(attempt: Int, Decision)
      /// The executor returned the attempt's exit to the scheduler.
      case returned(attempt: Int, elapsed: Duration)
      /// Observers were told: an attempt is about to start.
      case observedStart(attempt: Int)
      /// Observers were told: an attempt ended and another follows.
      case observedRetry(attempt: Int, status: JobResult.Status)
      /// Observers were told: the job reached its final status.
      case observedFinish(status: JobResult.Status, reason: String?)
    }

    var seq: Int
    var job: String
    var kind: Kind

    var description: String {
      switch kind {
      case .began(let attempt): "\(seq) began \(job)#\(attempt)"
      case .decided(let attempt, let decision): "\(seq) decided \(job)#\(attempt): \(decision)"
      case .returned(let attempt, _): "\(seq) returned \(job)#\(attempt)"
      case .observedStart(let attempt): "\(seq) obs-start \(job)#\(attempt)"
      case .observedRetry(let attempt, let status): "\(seq) obs-retry \(job)#\(attempt) \(status)"
      case .observedFinish(let status, let reason): "\(seq) obs-finish \(job) \(status) (\(reason ?? "-"))"
      }
    }
  }

  /// The events of one run, numbered in the order they happened, and how many attempts
  /// ran at once.
  final class Trace: Sendable {
    struct Record: Sendable {
      var events: [Event] = []
      /// Attempts between their executor's start and return, now.
      var running = 0
      var maxRunning = 0
    }

    private let storage = Mutex(Record())

    var record: Record { storage.withLock { $0 } }

    @discardableResult
    func append(_ job: String, _ kind: Event.Kind) -> Int {
      storage.withLock { record in
        switch kind {
        case .began:
          record.running += 1
          record.maxRunning = max(record.maxRunning, record.running)
        case .returned:
          record.running -= 1
        default:
          break
        }
        record.events.append(Event(seq: record.events.count, job: job, kind: kind))
        return record.events.count - 1
      }
    }
  }

  /// A ``JobExecutor`` whose attempts follow a script per job and attempt (the last one
  /// repeats), sleep their 0-3 ms, end at once when stopped, and are traced.
  final class Executor: JobExecutor {
    private let script: [String: [ScriptedAttempt]]
    let trace: Trace
    private let live = Mutex([ObjectIdentifier: Decider]())

    init(script: [String: [ScriptedAttempt]], trace: Trace) {
      self.script = script
      self.trace = trace
    }

    func attempt(_ job: String, _ attempt: Int) -> ScriptedAttempt {
      guard let attempts = script[job], !attempts.isEmpty else {
        return ScriptedAttempt(ending: .exits(0), duration: .zero)
      }
      return attempts[min(attempt, attempts.count) - 1]
    }

    func execute(_ launch: JobLaunch, control: AttemptControl) async -> AttemptExit {
      let job = launch.job.id
      let number = launch.attempt
      let scripted = attempt(job, number)
      let startedAt = WallClock.now
      let clock = ContinuousClock.now
      trace.append(job, .began(attempt: number))
      let decider = Decider(trace: trace, job: job, attempt: number)
      live.withLock { $0[ObjectIdentifier(decider)] = decider }
      let natural = Task {
        let duration = scripted.ending == .hangs ? .seconds(3) : scripted.duration
        if duration > .zero {
          do { try await Task.sleep(for: duration) } catch { return }
        } else {
          await Task.yield()
        }
        decider.decide(.natural(scripted.ending.termination))
      }
      control.onStop { decider.decide(.stopped(control.stopReason ?? .cancelled("<no reason>"))) }
      let decision = await decider.wait()
      natural.cancel()
      control.onStop(nil)
      live.withLock { $0[ObjectIdentifier(decider)] = nil }
      let termination: AttemptExit.Termination
      switch decision {
      case .natural(let ending): termination = ending
      case .stopped: termination = .signaled(SIGTERM)
      }
      let exit = AttemptExit(
        termination: termination, startedAt: startedAt, finishedAt: WallClock.now, outputBytes: 0)
      trace.append(job, .returned(attempt: number, elapsed: ContinuousClock.now - clock))
      return exit
    }

    func killAll() {
      for decider in live.withLock({ Array($0.values) }) { decider.decide(.natural(.signaled(SIGKILL))) }
    }

    func drain() async {}
  }

  /// Decides, once, how an attempt ends, and traces the decision when it is taken.
  private final class Decider: Sendable {
    private struct State {
      var decision: Decision?
      var continuation: CheckedContinuation<Decision, Never>?
    }

    private let state = Mutex(State())
    private let trace: Trace
    private let job: String
    private let attempt: Int

    init(trace: Trace, job: String, attempt: Int) {
      self.trace = trace
      self.job = job
      self.attempt = attempt
    }

    func wait() async -> Decision {
      await withCheckedContinuation { continuation in
        let decided = state.withLock { state -> Decision? in
          if let decision = state.decision { return decision }
          state.continuation = continuation
          return nil
        }
        if let decided { continuation.resume(returning: decided) }
      }
    }

    /// The first decision wins; it is traced under the lock, so its place in the global
    /// order is when it was taken.
    func decide(_ decision: Decision) {
      let continuation = state.withLock { state -> CheckedContinuation<Decision, Never>? in
        guard state.decision == nil else { return nil }
        state.decision = decision
        trace.append(job, .decided(attempt: attempt, decision))
        defer { state.continuation = nil }
        return state.continuation
      }
      continuation?.resume(returning: decision)
    }
  }

  /// A ``RunObserver`` that adds what observers are told to a ``Trace``.
  final class Observer: RunObserver {
    let trace: Trace

    init(trace: Trace) {
      self.trace = trace
    }

    func attemptStarted(_ job: Job, attempt: Int, log: String) {
      trace.append(job.id, .observedStart(attempt: attempt))
    }

    func attemptWillRetry(_ job: Job, record: AttemptRecord) {
      trace.append(job.id, .observedRetry(attempt: record.attempt, status: record.status))
    }

    func jobFinished(_ job: Job, result: JobResult) {
      trace.append(job.id, .observedFinish(status: result.status, reason: result.reason))
    }
  }
}
