import Glibc
import Testing

@testable import BatchrunKit

/// The scheduler's start rules on their own, as tables: `when` against the needs'
/// statuses, the failure policies, --fail-fast and interruption.
@Suite("StartRules")
struct StartRulesTests {
  typealias Refusal = StartRules.Refusal

  static func job(
    _ id: String = "job", when condition: Job.Condition = .onSuccess, allowFailure: Bool = false
  )
    -> Job
  {
    Job(id: id, command: .shell("true"), allowFailure: allowFailure, condition: condition)
  }

  static func skipped(_ reason: String) -> Refusal { Refusal(status: .skipped, reason: reason) }

  // MARK: - when

  /// A job's `when`, its needs (`n0`, `n1`, ... in order) and what the rules say.
  struct WhenCase: Sendable, CustomTestStringConvertible {
    var condition: Job.Condition
    /// Each need's status, and whether it may fail.
    var needs: [(JobResult.Status, allowFailure: Bool)]
    var expected: Refusal?

    init(_ condition: Job.Condition, _ needs: [JobResult.Status], allowed: Bool = false, _ expected: Refusal?)
    {
      self.condition = condition
      self.needs = needs.map { ($0, allowed) }
      self.expected = expected
    }

    var testDescription: String {
      let needs = needs.map { "\($0.0.rawValue)\($0.allowFailure ? " (allowed)" : "")" }
      return "\(condition.rawValue) after [\(needs.joined(separator: ", "))]"
    }
  }

  static let whenCases: [WhenCase] = [
    WhenCase(.onSuccess, [], nil),
    WhenCase(.onSuccess, [.succeeded, .succeeded], nil),
    WhenCase(.onSuccess, [.failed], skipped("need 'n0' failed")),
    WhenCase(.onSuccess, [.timedOut], skipped("need 'n0' timed out")),
    WhenCase(.onSuccess, [.cancelled], skipped("need 'n0' was cancelled")),
    WhenCase(.onSuccess, [.skipped], skipped("need 'n0' was skipped")),
    WhenCase(.onSuccess, [.succeeded, .skipped, .failed], skipped("need 'n1' was skipped")),
    WhenCase(.onSuccess, [.failed, .timedOut], allowed: true, nil),
    WhenCase(.onSuccess, [.cancelled], allowed: true, skipped("need 'n0' was cancelled")),
    WhenCase(.always, [], nil),
    WhenCase(.always, [.failed, .cancelled, .skipped, .timedOut], nil),
    WhenCase(.onFailure, [], skipped("when: on-failure, and no need failed")),
    WhenCase(.onFailure, [.succeeded], skipped("when: on-failure, and no need failed")),
    WhenCase(.onFailure, [.cancelled, .skipped], skipped("when: on-failure, and no need failed")),
    WhenCase(.onFailure, [.succeeded, .failed], nil),
    WhenCase(.onFailure, [.timedOut], nil),
    WhenCase(.onFailure, [.failed], allowed: true, skipped("when: on-failure, and no need failed")),
  ]

  @Test("`when` judges a job once its needs are final", arguments: whenCases)
  func when(_ row: WhenCase) {
    let needs = row.needs.enumerated().map {
      StartRules.Need(id: "n\($0.offset)", allowFailure: $0.element.allowFailure, status: $0.element.0)
    }
    for policy in [FailurePolicy.stopStarting, .keepGoing, .failFast] {
      let rules = StartRules(policy: policy)
      #expect(rules.judge(Self.job(when: row.condition), needs: needs) == row.expected, "\(policy)")
    }
  }

  // MARK: - The failure policy

  /// Whether a ready job may start after another job failed, by policy and `when`.
  static let afterFailure: [(FailurePolicy, Job.Condition, Refusal?)] = [
    (.stopStarting, .onSuccess, skipped("not started: the run stopped after a failure")),
    (.stopStarting, .always, nil),
    (.stopStarting, .onFailure, nil),
    (.failFast, .onSuccess, skipped("not started: the run stopped after a failure")),
    (.failFast, .always, nil),
    (.failFast, .onFailure, nil),
    (.keepGoing, .onSuccess, nil),
    (.keepGoing, .always, nil),
    (.keepGoing, .onFailure, nil),
  ]

  @Test("after a failure, a ready job starts by the policy and its `when`", arguments: afterFailure)
  func startAfterFailure(policy: FailurePolicy, condition: Job.Condition, expected: Refusal?) {
    var rules = StartRules(policy: policy)
    #expect(rules.refusalToStart(Self.job(when: condition)) == nil, "nothing failed yet")
    rules.finished(Self.job("broken"), status: .failed)
    #expect(rules.refusalToStart(Self.job(when: condition)) == expected)
  }

  /// Which final statuses trip the failure policy.
  static let tripping: [(JobResult.Status, allowFailure: Bool, trips: Bool)] = [
    (.failed, false, true),
    (.timedOut, false, true),
    (.failed, true, false),
    (.timedOut, true, false),
    (.succeeded, false, false),
    (.cancelled, false, false),
    (.skipped, false, false),
  ]

  @Test("a failure or timeout of a job that may not fail trips the policy", arguments: tripping)
  func trips(status: JobResult.Status, allowFailure: Bool, trips: Bool) {
    var rules = StartRules(policy: .stopStarting)
    rules.finished(Self.job("j", allowFailure: allowFailure), status: status)
    #expect(rules.failedJob == (trips ? "j" : nil))
  }

  @Test("the first failure stands")
  func firstFailureStands() {
    var rules = StartRules(policy: .failFast)
    rules.finished(Self.job("first"), status: .timedOut)
    rules.finished(Self.job("second"), status: .failed)
    #expect(rules.failedJob == "first")
    #expect(rules.failFast(stopping: [4]) == .cancelled("stopped by --fail-fast after 'first' failed"))
  }

  // MARK: - --fail-fast

  @Test(
    "--fail-fast stops the running jobs once, and they may not retry; other policies stop nothing",
    arguments: [FailurePolicy.stopStarting, .keepGoing, .failFast])
  func failFast(policy: FailurePolicy) {
    var rules = StartRules(policy: policy)
    #expect(rules.failFast(stopping: [1, 2]) == nil, "nothing failed yet")
    rules.finished(Self.job("a"), status: .failed)
    let expected: AttemptControl.StopReason? =
      policy == .failFast ? .cancelled("stopped by --fail-fast after 'a' failed") : nil
    #expect(rules.failFast(stopping: [1, 2]) == expected)
    #expect(rules.failFast(stopping: [1, 2, 3]) == nil, "the running jobs are stopped once")
    #expect(rules.retryRefusal(for: 1) == expected)
    #expect(rules.retryRefusal(for: 2) == expected)
    #expect(rules.retryRefusal(for: 3) == nil, "a job that started later may retry")
  }

  // MARK: - Interruption

  @Test(
    "an interruption cancels what has not started, refuses retries and overrides `when`",
    arguments: [(SIGINT, "SIGINT"), (SIGTERM, "SIGTERM"), (SIGHUP, "SIGHUP")])
  func interruption(signal: Int32, name: String) {
    var rules = StartRules(policy: .keepGoing)
    #expect(rules.interrupt(by: signal) == .cancelled("interrupted by \(name)"))
    #expect(rules.interrupt(by: SIGKILL) == nil, "a second signal finds the run interrupted")
    #expect(rules.interruption == signal, "the first signal stands")
    let notStarted = Refusal(status: .cancelled, reason: "not started: batchrun was interrupted by \(name)")
    for condition in Job.Condition.allCases {
      #expect(rules.refusalToStart(Self.job(when: condition)) == notStarted)
      let need = StartRules.Need(id: "n", allowFailure: false, status: .failed)
      #expect(rules.judge(Self.job(when: condition), needs: [need]) == notStarted)
    }
    #expect(rules.retryRefusal(for: 0) == .cancelled("interrupted by \(name)"))
  }

  @Test("an interruption's refusal comes before --fail-fast's")
  func interruptionBeforeFailFast() {
    var rules = StartRules(policy: .failFast)
    rules.finished(Self.job("a"), status: .failed)
    _ = rules.failFast(stopping: [1])
    _ = rules.interrupt(by: SIGTERM)
    #expect(rules.retryRefusal(for: 1) == .cancelled("interrupted by SIGTERM"))
  }
}
