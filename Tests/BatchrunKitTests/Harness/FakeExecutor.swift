@testable import BatchrunKit
import Glibc
import Synchronization

/// What one scripted attempt of a ``FakeExecutor`` does.
struct FakeAttempt: Sendable {
  /// How the attempt ends if nothing stops it first.
  var termination: AttemptExit.Termination
  /// How long the attempt runs (really sleeps) before it ends.
  var duration: Duration
  /// What the attempt reports as its duration (`finishedAt - startedAt`), instead of the real one.
  var reportedDuration: Duration?
  /// Jobs that must have ended an attempt before this one's clock starts.
  var waitsFor: [String] = []
  /// Jobs that must have started an attempt before this one's clock starts.
  var waitsForStart: [String] = []
  /// Whether a stop request is ignored (only ``FakeExecutor/killAll()`` ends the attempt).
  var ignoresStop = false
  var outputBytes = 0

  /// Exits with `code` after `duration`.
  static func exits(_ code: Int32 = 0, after duration: Duration = .milliseconds(20)) -> FakeAttempt {
    FakeAttempt(termination: .exited(code), duration: duration)
  }

  /// Is killed by `signal` after `duration`.
  static func killed(by signal: Int32, after duration: Duration = .milliseconds(20)) -> FakeAttempt {
    FakeAttempt(termination: .signaled(signal), duration: duration)
  }

  /// Cannot be started.
  static func failsToStart(_ why: String = "no such program") -> FakeAttempt {
    FakeAttempt(termination: .failedToStart(why), duration: .zero)
  }

  /// Runs until stopped (or, should nothing stop it, exits 0 after 20 s, which tests then notice).
  static var hangs: FakeAttempt { FakeAttempt(termination: .exited(0), duration: .seconds(20)) }

  func reporting(_ duration: Duration) -> FakeAttempt {
    var copy = self
    copy.reportedDuration = duration
    return copy
  }

  func waiting(for jobs: String...) -> FakeAttempt {
    var copy = self
    copy.waitsFor += jobs
    return copy
  }

  func waiting(forStartOf jobs: String...) -> FakeAttempt {
    var copy = self
    copy.waitsForStart += jobs
    return copy
  }

  func ignoringStop() -> FakeAttempt {
    var copy = self
    copy.ignoresStop = true
    return copy
  }

  func writing(_ bytes: Int) -> FakeAttempt {
    var copy = self
    copy.outputBytes = bytes
    return copy
  }
}

/// A ``JobExecutor`` that runs no processes: each attempt follows a script, sleeps for
/// its simulated duration, and is recorded (start and end order, how many ran at once).
///
/// A stop request through ``AttemptControl/onStop(_:)`` ends the attempt at once as if
/// SIGTERM had killed it; ``killAll()`` ends every attempt as if by SIGKILL.
final class FakeExecutor: JobExecutor {
  /// One attempt starting or ending, in the order they happened.
  struct Event: Sendable, Equatable, CustomStringConvertible {
    enum Kind: Sendable, Equatable {
      case started
      case ended
    }

    var kind: Kind
    var job: String
    var attempt: Int
    /// Attempts running just after this event.
    var running: Int

    var description: String { "\(kind == .started ? "start" : "end") \(job)#\(attempt)" }
  }

  /// Everything recorded so far.
  struct Record: Sendable {
    var events: [Event] = []
    var launches: [JobLaunch] = []
    /// Job ids of the attempts running now.
    var running: [String] = []
    var maxRunning = 0
    var killAllCalls = 0
    var drainCalls = 0
    /// Attempts still running when ``FakeExecutor/drain()`` was last called.
    var runningAtDrain: Int?

    /// Job ids in the order their first attempts started.
    var startOrder: [String] {
      events.filter { $0.kind == .started && $0.attempt == 1 }.map(\.job)
    }

    /// The position in ``events`` of `job`'s first start, if it started.
    func firstStart(of job: String) -> Int? {
      events.firstIndex { $0.kind == .started && $0.job == job }
    }

    /// The position in ``events`` of `job`'s last end, if it ended.
    func lastEnd(of job: String) -> Int? {
      events.lastIndex { $0.kind == .ended && $0.job == job }
    }

    func attempts(of job: String) -> Int {
      events.filter { $0.kind == .started && $0.job == job }.count
    }

    func started(_ job: String) -> Bool { firstStart(of: job) != nil }
  }

  private let script: [String: [FakeAttempt]]
  private let fallback: FakeAttempt
  private let record = Mutex(Record())
  private let wakeups = Mutex([Int: Wakeup]())
  private let nextKey = Atomic(0)

  /// - Parameters:
  ///   - script: per job id, its attempts in order; the last one repeats.
  ///   - fallback: what jobs not in `script` do.
  init(_ script: [String: [FakeAttempt]] = [:], fallback: FakeAttempt = .exits(0)) {
    self.script = script
    self.fallback = fallback
  }

  /// A copy of what was recorded so far.
  var recorded: Record { record.withLock { $0 } }

  /// Polls until `condition` holds of the record (every 5 ms, for at most `limit`).
  ///
  /// - Returns: whether it came to hold.
  @discardableResult
  func waitUntil(limit: Duration = .seconds(30), _ condition: (Record) -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + limit
    while ContinuousClock.now < deadline {
      if condition(recorded) { return true }
      try? await Task.sleep(for: .milliseconds(5))
    }
    return condition(recorded)
  }

  func attemptScript(job: String, attempt: Int) -> FakeAttempt {
    guard let attempts = script[job], !attempts.isEmpty else { return fallback }
    return attempts[min(attempt, attempts.count) - 1]
  }

  func execute(_ launch: JobLaunch, control: AttemptControl) async -> AttemptExit {
    let job = launch.job.id
    let plan = attemptScript(job: job, attempt: launch.attempt)
    let wakeup = Wakeup()
    let key = nextKey.wrappingAdd(1, ordering: .relaxed).oldValue
    wakeups.withLock { $0[key] = wakeup }
    record.withLock { record in
      record.launches.append(launch)
      record.running.append(job)
      record.maxRunning = max(record.maxRunning, record.running.count)
      record.events.append(
        Event(kind: .started, job: job, attempt: launch.attempt, running: record.running.count))
    }
    let startedAt = WallClock.now
    let timer = Task {
      while true {
        let record = self.recorded
        if plan.waitsFor.allSatisfy({ record.lastEnd(of: $0) != nil })
          && plan.waitsForStart.allSatisfy(record.started)
        {
          break
        }
        try await Task.sleep(for: .milliseconds(5))
      }
      try await Task.sleep(for: plan.duration)
      wakeup.fire(.elapsed)
    }
    // A stop reaches the attempt either way; one that ignores it (SIGTERM trapped) goes on.
    control.onStop { if !plan.ignoresStop { wakeup.fire(.stopped) } }
    let cause = await wakeup.wait()
    timer.cancel()
    control.onStop(nil)
    wakeups.withLock { $0[key] = nil }

    let termination: AttemptExit.Termination
    switch cause {
    case .elapsed: termination = plan.termination
    case .stopped: termination = .signaled(SIGTERM)
    case .killed: termination = .signaled(SIGKILL)
    }
    let finishedAt =
      plan.reportedDuration.map { reported in
        let (seconds, attoseconds) = reported.components
        return WallClock.Instant(
          millisecondsSinceEpoch: startedAt.millisecondsSinceEpoch + seconds * 1000
            + attoseconds / 1_000_000_000_000_000)
      } ?? WallClock.now
    record.withLock { record in
      if let index = record.running.firstIndex(of: job) { record.running.remove(at: index) }
      record.events.append(
        Event(kind: .ended, job: job, attempt: launch.attempt, running: record.running.count))
    }
    // Like a real executor, it names the attempts it started, and where they ran.
    var started = true
    if case .failedToStart = termination { started = false }
    return AttemptExit(
      termination: termination, startedAt: startedAt, finishedAt: finishedAt,
      outputBytes: plan.outputBytes, nativeID: started ? "\(job)-\(launch.attempt)" : nil,
      host: started ? "fake" : nil)
  }

  func killAll() {
    record.withLock { $0.killAllCalls += 1 }
    for wakeup in wakeups.withLock({ Array($0.values) }) { wakeup.fire(.killed) }
  }

  func drain() async {
    record.withLock { record in
      record.drainCalls += 1
      record.runningAtDrain = record.running.count
    }
  }
}

/// A one-shot wake-up: the first ``fire(_:)`` decides what ``wait()`` returns.
private final class Wakeup: Sendable {
  enum Cause: Sendable {
    case elapsed
    case stopped
    case killed
  }

  private struct State {
    var cause: Cause?
    var continuation: CheckedContinuation<Cause, Never>?
  }

  private let state = Mutex(State())

  func wait() async -> Cause {
    await withCheckedContinuation { continuation in
      let ready = state.withLock { state -> Cause? in
        if let cause = state.cause { return cause }
        state.continuation = continuation
        return nil
      }
      if let ready { continuation.resume(returning: ready) }
    }
  }

  func fire(_ cause: Cause) {
    let continuation = state.withLock { state -> CheckedContinuation<Cause, Never>? in
      guard state.cause == nil else { return nil }
      state.cause = cause
      defer { state.continuation = nil }
      return state.continuation
    }
    continuation?.resume(returning: cause)
  }
}
