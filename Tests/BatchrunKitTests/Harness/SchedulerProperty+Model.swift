@testable import BatchrunKit

extension SchedulerProperty {
  /// A rule that a run broke.
  struct Violation: Sendable, CustomStringConvertible {
    var job: String?
    var message: String

    var description: String { (job.map { "\($0): " } ?? "") + message }
  }

  /// One attempt as the executor traced it.
  struct TracedAttempt {
    var number: Int
    var began: Int
    var decided: Int?
    var decision: Decision?
    var returned: Int?
    var elapsed: Duration?
  }

  /// The reference model: what docs/manifest.md (`when`, `allow-failure`, retries),
  /// docs/report.md (statuses) and docs/cli.md (failure policies) allow, checked
  /// against a traced run.
  ///
  /// The model takes the outcomes the executor produced for the attempts that ran as
  /// given, and judges every job by the final statuses of its needs. Where the rules
  /// depend on the order of concurrent events (did a job start before or after the
  /// first failure stopped the run?), it reasons only from bounds that the traced
  /// order proves: the scheduler finalizes a job after its last attempt returned and
  /// before observers hear of it, and starts a job after all its needs are final.
  struct Model {
    let run: Case
    let plan: Plan
    let outcome: Scheduler.Outcome
    let exitCode: Int32
    let record: Trace.Record

    private var violations: [Violation] = []
    /// Races the model let pass, where the order of events allowed either status.
    private var notes: [String] = []

    init(run: Case, plan: Plan, outcome: Scheduler.Outcome, exitCode: Int32, record: Trace.Record) {
      self.run = run
      self.plan = plan
      self.outcome = outcome
      self.exitCode = exitCode
      self.record = record
    }

    private mutating func fail(_ job: String?, _ message: String) {
      violations.append(Violation(job: job, message: message))
    }

    /// Every rule the run broke (empty if it kept them all), and the races the model let
    /// pass.
    static func check(
      _ run: Case, plan: Plan, outcome: Scheduler.Outcome, exitCode: Int32, record: Trace.Record
    ) -> (violations: [Violation], notes: [String]) {
      var model = Model(run: run, plan: plan, outcome: outcome, exitCode: exitCode, record: record)
      model.checkAll()
      return (model.violations, model.notes)
    }

    // MARK: - The trace, by job

    private var attempts: [String: [TracedAttempt]] = [:]
    private var observedStarts: [String: [(attempt: Int, seq: Int)]] = [:]
    private var observedRetries: [String: [(attempt: Int, status: JobResult.Status)]] = [:]
    private var observedFinishes: [String: [(status: JobResult.Status, reason: String?, seq: Int)]] = [:]

    private mutating func index() {
      for event in record.events {
        switch event.kind {
        case .began(let attempt):
          attempts[event.job, default: []].append(TracedAttempt(number: attempt, began: event.seq))
        case .decided(let attempt, let decision):
          guard let at = attempts[event.job]?.lastIndex(where: { $0.number == attempt }) else {
            fail(event.job, "attempt \(attempt) decided without beginning")
            continue
          }
          attempts[event.job]![at].decided = event.seq
          attempts[event.job]![at].decision = decision
        case .returned(let attempt, let elapsed):
          guard let at = attempts[event.job]?.lastIndex(where: { $0.number == attempt }) else {
            fail(event.job, "attempt \(attempt) returned without beginning")
            continue
          }
          attempts[event.job]![at].returned = event.seq
          attempts[event.job]![at].elapsed = elapsed
        case .observedStart(let attempt):
          observedStarts[event.job, default: []].append((attempt, event.seq))
        case .observedRetry(let attempt, let status):
          observedRetries[event.job, default: []].append((attempt, status))
        case .observedFinish(let status, let reason):
          observedFinishes[event.job, default: []].append((status, reason, event.seq))
        }
      }
    }

    // MARK: - The rules

    private mutating func checkAll() {
      index()
      let expectedSelection = run.selected
      let jobs = run.jobs

      // Only the selected jobs (the targets' closure), one result each, in manifest order.
      if plan.selected != expectedSelection {
        fail(
          nil,
          "selected \(plan.selected.map { jobs[$0].id }), expected \(expectedSelection.map { jobs[$0].id })")
        return
      }
      if outcome.results.map(\.index) != expectedSelection {
        let listed = outcome.results.map { jobs[$0.index].id }
        fail(
          nil, "results for \(listed), expected \(expectedSelection.map { jobs[$0].id }) in manifest order")
        return
      }
      if outcome.interruption != nil { fail(nil, "interrupted by \(outcome.interruption!) without a signal") }
      let isSelected = Set(expectedSelection)
      for (index, job) in jobs.enumerated() where !isSelected.contains(index) {
        if attempts[job.id] != nil || observedStarts[job.id] != nil || observedFinishes[job.id] != nil {
          fail(job.id, "not selected, yet it ran or was reported")
        }
      }

      // The pool.
      if record.maxRunning > run.concurrency {
        fail(nil, "\(record.maxRunning) attempts ran at once, with concurrency \(run.concurrency)")
      }

      // Each selected job: one final status, told to observers exactly once.
      var status: [Int: JobResult.Status] = [:]
      for result in outcome.results {
        let id = jobs[result.index].id
        status[result.index] = result.status
        let finishes = observedFinishes[id] ?? []
        if finishes.count != 1 {
          fail(id, "observers were told it finished \(finishes.count) times: \(finishes.map(\.status))")
        } else if finishes[0].status != result.status || finishes[0].reason != result.reason {
          let told = "\(finishes[0].status) (\(finishes[0].reason ?? "-"))"
          fail(id, "observers were told \(told), the outcome says \(result.status) (\(result.reason ?? "-"))")
        }
      }

      // The non-allowed failures, which trigger the policy, and bounds on when the
      // first of them was made final (after its last attempt returned, before observers
      // heard of it).
      let failures = expectedSelection.filter { isFailure($0, status[$0]!) }
      let failureReturns = failures.compactMap { lastReturn(of: jobs[$0].id) }
      let failureAnnouncements = failures.compactMap { finishSeq(of: jobs[$0].id) }
      // The first failure was made final after this...
      let firstFailureAfter = failureReturns.min()
      // ... and before this.
      let firstFailureBefore = failureAnnouncements.min()
      // Every failure has been announced by this.
      let allFailuresAnnounced = failureAnnouncements.max()

      for result in outcome.results {
        checkJob(
          result, status: status, failures: failures, firstFailureAfter: firstFailureAfter,
          firstFailureBefore: firstFailureBefore, allFailuresAnnounced: allFailuresAnnounced)
      }

      // The verdict.
      let failsRun = outcome.results.contains { isFailure($0.index, $0.status) || $0.status == .cancelled }
      if exitCode != (failsRun ? 1 : 0) {
        fail(nil, "exit code \(exitCode), expected \(failsRun ? 1 : 0) for \(outcome.results.map(\.status))")
      }
    }

    private func isFailure(_ job: Int, _ status: JobResult.Status) -> Bool {
      (status == .failed || status == .timedOut) && !run.jobs[job].allowFailure
    }

    /// How attempt `number` of job `index` was scripted to end.
    private func scripted(_ index: Int, _ number: Int) -> Ending {
      let attempts = run.jobs[index].attempts
      return attempts[min(number, attempts.count) - 1].ending
    }

    private func lastReturn(of job: String) -> Int? { attempts[job]?.last?.returned }
    private func finishSeq(of job: String) -> Int? { observedFinishes[job]?.first?.seq }

    /// What `when` says once every need is final: nil to run, else why to skip.
    private func judge(_ job: Int, status: [Int: JobResult.Status]) -> String? {
      let definition = run.jobs[job]
      switch definition.condition {
      case .always:
        return nil
      case .onFailure:
        let someFailed = definition.needs.contains { isFailure($0, status[$0]!) }
        return someFailed ? nil : "on-failure"
      case .onSuccess:
        let unsuccessful = definition.needs.first { need in
          let needStatus = status[need]!
          let allowed = run.jobs[need].allowFailure && (needStatus == .failed || needStatus == .timedOut)
          return needStatus != .succeeded && !allowed
        }
        return unsuccessful.map { "'\(run.jobs[$0].id)'" }
      }
    }

    private mutating func checkJob(
      _ result: JobResult, status: [Int: JobResult.Status], failures: [Int], firstFailureAfter: Int?,
      firstFailureBefore: Int?, allFailuresAnnounced: Int?
    ) {
      let index = result.index
      let job = run.jobs[index]
      let id = job.id
      let traced = attempts[id] ?? []
      let policy = run.policy
      let finished = finishSeq(of: id) ?? Int.max
      let failureIDs = failures.map { run.jobs[$0].id }

      // No job starts before every need is final: its last attempt has returned, and
      // observers heard of it first.
      if let firstBegan = traced.first?.began {
        for need in job.needs {
          let needID = run.jobs[need].id
          if let needReturn = lastReturn(of: needID), needReturn > firstBegan {
            fail(id, "began at \(firstBegan), before its need \(needID) returned at \(needReturn)")
          }
          if let needFinish = finishSeq(of: needID), let firstObserved = observedStarts[id]?.first?.seq,
            needFinish > firstObserved
          {
            let heard = "observers heard it start (\(firstObserved))"
            fail(id, "\(heard) before they heard its need \(needID) finish (\(needFinish))")
          }
        }
      }

      // `when`, judged by the needs' final statuses.
      if let whyNot = judge(index, status: status) {
        if result.status != .skipped || !traced.isEmpty {
          let outcome = "\(result.status) after \(traced.count) attempts"
          fail(id, "when: \(job.condition.rawValue) says skip (\(whyNot)), but it is \(outcome)")
          return
        }
        if !(result.reason ?? "").contains(whyNot) {
          // The reason names the need, or says on-failure.
          let reason = result.reason ?? "nil"
          fail(id, "skipped by when: \(job.condition.rawValue), but the reason '\(reason)' lacks \(whyNot)")
        }
        if !result.attempts.isEmpty { fail(id, "skipped with \(result.attempts.count) attempts") }
        return
      }

      // `when` lets it run. The policy may still refuse to start an on-success job once
      // the first failure is final (the default policy and --fail-fast).
      let refusable = policy != .keepGoing && job.condition == .onSuccess && !failures.isEmpty
      let readyAfter = job.needs.compactMap { lastReturn(of: run.jobs[$0].id) }.max()
      guard !traced.isEmpty else {
        if result.status != .skipped || !(result.reason ?? "").contains("stopped after a failure") {
          fail(
            id, "never started, yet \(result.status) (\(result.reason ?? "-")); its needs allowed it to run")
        } else if !refusable {
          let setting = "\(policy.rawValue), \(job.condition.rawValue), failures \(failureIDs)"
          fail(id, "skipped as the run stopped, but \(setting) let it run")
        } else if let firstFailureAfter, finished < firstFailureAfter {
          let when = "before the first failure could be final (\(firstFailureAfter))"
          fail(id, "skipped as the run stopped (\(finished)), \(when)")
        } else if !result.attempts.isEmpty {
          fail(id, "skipped with \(result.attempts.count) attempts")
        }
        return
      }
      if refusable, let readyAfter, let firstFailureBefore, readyAfter > firstFailureBefore {
        let when = "only after the first failure (before \(firstFailureBefore))"
        fail(id, "started although its needs were final (after \(readyAfter)) \(when)")
      }

      // Attempts: 1, 2, ... k, k <= retries + 1; observers told of each start and retry.
      if traced.map(\.number) != Array(1...traced.count) {
        fail(id, "attempts \(traced.map(\.number)), expected 1...\(traced.count)")
        return
      }
      if traced.count > job.retries + 1 { fail(id, "\(traced.count) attempts with retries \(job.retries)") }
      if result.attempts.map(\.attempt) != traced.map(\.number) {
        let listed = result.attempts.map(\.attempt)
        fail(id, "the result lists attempts \(listed), the executor ran \(traced.map(\.number))")
        return
      }
      let startsHeard = (observedStarts[id] ?? []).map(\.attempt)
      if startsHeard != traced.map(\.number) {
        fail(id, "observers heard of attempts \(startsHeard) starting, \(traced.count) ran")
      }
      // A retry announced but refused, or stopped during its delay, by --fail-fast is
      // checked with the final status below.
      let retriesHeard = (observedRetries[id] ?? []).map(\.attempt)
      if retriesHeard != traced.dropLast().map(\.number) && retriesHeard != traced.map(\.number) {
        fail(id, "observers heard of retries after \(retriesHeard), \(traced.count) attempts ran")
      }

      // The fail-fast window: could this job have been running when the first failure
      // stopped the run, or did it surely start after?
      let stoppedByFailFast = policy == .failFast && !failures.isEmpty
      let surelyStartedAfterStop =
        stoppedByFailFast && readyAfter != nil && firstFailureBefore != nil
        && readyAfter! > firstFailureBefore!
      let surelyRunningAtStop =
        stoppedByFailFast && firstFailureAfter != nil && traced[0].began < firstFailureAfter!

      // Each attempt's status follows from how the executor ended it.
      for (offset, attempt) in traced.enumerated() {
        let recorded = result.attempts[offset].status
        guard let decision = attempt.decision, attempt.returned != nil else {
          fail(id, "attempt \(attempt.number) never returned")
          continue
        }
        var allowed: [JobResult.Status]
        switch decision {
        case .natural(.exited(SchedulerProperty.unstoppedHangExitCode)):
          let timeout = job.timeout.map { "\($0)" } ?? "none"
          fail(id, "attempt \(attempt.number) hung and nothing stopped it (timeout \(timeout))")
          allowed = [recorded]
        case .natural(let termination):
          allowed = [termination == .exited(0) ? .succeeded : .failed]
          if termination != scripted(index, attempt.number).termination {
            fail(id, "attempt \(attempt.number) ended \(termination), not as scripted for that attempt")
          }
          // A stop that reached the attempt between its end and the executor letting go
          // of it decides instead, whatever the exit (a job that catches SIGTERM and exits
          // 0 was still stopped).
          if let timeout = job.timeout, let elapsed = attempt.elapsed, elapsed * 2 >= timeout {
            allowed.append(.timedOut)
          }
          if stoppedByFailFast && !surelyStartedAfterStop { allowed.append(.cancelled) }
        case .stopped(.timedOut):
          allowed = [.timedOut]
          if job.timeout == nil { fail(id, "attempt \(attempt.number) timed out without a timeout") }
        case .stopped(.cancelled(let why)):
          allowed = [.cancelled]
          if !stoppedByFailFast || surelyStartedAfterStop || !why.contains("fail-fast") {
            let setting = "under \(policy.rawValue), failures \(failureIDs)"
            fail(id, "attempt \(attempt.number) was stopped (\(why)) \(setting)")
          }
        }
        if !allowed.contains(recorded) {
          fail(
            id, "attempt \(attempt.number) ended \(decision), recorded as \(recorded), expected \(allowed)")
        } else if recorded != allowed[0] {
          notes.append("an attempt that ended \(allowed[0]) by itself recorded as \(recorded)")
        }
        if offset < traced.count - 1, recorded != .failed && recorded != .timedOut {
          fail(id, "retried after attempt \(attempt.number) \(recorded)")
        }
        // --fail-fast stops every job running when the first failure is final: none of
        // its attempts ends otherwise once every failure has been announced.
        if surelyRunningAtStop, let allFailuresAnnounced, attempt.decided! > allFailuresAnnounced,
          !decision.isCancellation
        {
          let when = "began \(traced[0].began), failures returned from \(firstFailureAfter!)"
          fail(
            id,
            "was running when the first failure stopped the run (\(when)), "
              + "yet attempt \(attempt.number) ended \(decision) at \(attempt.decided!)")
        }
      }

      // The final status: the last attempt's, or cancelled when --fail-fast stopped the
      // job (while running, or by refusing a retry).
      let last = result.attempts.last!.status
      let retryable = last == .failed || last == .timedOut
      if retryable && traced.count < job.retries + 1 {
        // Retries left, yet no further attempt: only --fail-fast may refuse one, and only
        // to a job that was running when it stopped the run.
        if result.status != .cancelled || !stoppedByFailFast || surelyStartedAfterStop {
          let after = surelyStartedAfterStop ? ", the first surely final before this job started" : ""
          fail(
            id,
            "\(result.status) after \(traced.count) of \(job.retries + 1) attempts, the last \(last), "
              + "under \(policy.rawValue) (failures \(failureIDs)\(after))")
        } else if retriesHeard.count == traced.count {
          notes.append("a retry announced, then refused by --fail-fast")
        }
      } else if result.status != last {
        if result.status != .cancelled || !stoppedByFailFast || surelyStartedAfterStop {
          fail(id, "final status \(result.status), but its last attempt was \(last)")
        } else {
          notes.append("a job whose last attempt \(last) by itself ended cancelled by --fail-fast")
        }
      }
      if retriesHeard.count == traced.count && result.status != .cancelled {
        fail(id, "observers heard of a retry after the last attempt, yet it ended \(result.status)")
      }
      if result.status == .cancelled {
        let reason = result.reason ?? ""
        if !reason.contains("fail-fast") || !failureIDs.contains(where: { reason.contains("'\($0)'") }) {
          fail(id, "cancelled for '\(reason)'; the failures were \(failureIDs)")
        }
      }
    }
  }
}
