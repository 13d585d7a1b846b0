import Synchronization

/// The run's submitted jobs and the one loop that polls Slurm for all of them.
///
/// Each poll is one `squeue` call for every unfinished job of the run (`-t all`, so that a
/// job that ended since the last poll is still listed with its exit). The interval adapts:
/// it drops to ``Pace/fastest`` when something happens (a submission, a state change, a
/// cancel) and grows by half after each quiet poll up to ``Pace/slowest``. A job that left
/// `squeue`'s records before batchrun saw it end is looked up with `sacct` where accounting
/// exists, else with `scontrol show job`, and given up on only after ``Pace/lostAfter``.
/// Cancels asked for at the same moment (a stop of the run) go out as one `scancel`.
final class SlurmQueue: Sendable {
  /// How often to poll.
  struct Pace: Sendable {
    var fastest: Duration = .milliseconds(500)
    var slowest: Duration = .seconds(5)
    /// How long `squeue` may fail in a row before Slurm counts as unreachable.
    var unreachableAfter: Duration = .seconds(60)
    /// How long a job may be missing from every record before it counts as lost.
    var lostAfter: Duration = .seconds(20)
  }

  /// How a tracked job ended.
  enum End: Sendable {
    /// Its final record.
    case record(SlurmJobRecord, cancelledByBatchrun: Bool)
    /// batchrun stopped waiting for it: a second Ctrl-C, or Slurm became unreachable.
    case abandoned(String)
    /// No record of it is left anywhere.
    case lost(String)
  }

  private struct Entry {
    var phase: SlurmJobRecord.Phase = .queued
    var node: String?
    var waiter: CheckedContinuation<End, Never>?
    var end: End?
    var cancelledByBatchrun = false
    var missingSince: ContinuousClock.Instant?
  }

  private struct State {
    var entries: [String: Entry] = [:]
    /// Submission order, for stable command lines.
    var order: [String] = []
    var polling = false
    var interval: Duration = .zero
    var hurry = false
    var cancels: [String] = []
    var cancelScheduled = false
    var failingSince: ContinuousClock.Instant?
    var abandoned: String?
    var failure: SlurmFailure?
    var drainWaiters: [CheckedContinuation<Void, Never>] = []
  }

  private let state = Mutex(State())
  private let command: SlurmCommand
  private let pace: Pace
  /// Whether `sacct` can answer (the cluster keeps accounting).
  private let accounting: Bool

  init(command: SlurmCommand, pace: Pace, accounting: Bool) {
    self.command = command
    self.pace = pace
    self.accounting = accounting
  }

  /// Why Slurm failed the run, if it did.
  var failure: SlurmFailure? { state.withLock { $0.failure } }

  /// Slurm failed the run: keeps the first failure and stops waiting for every job.
  func fail(_ failure: SlurmFailure) {
    let unfinished = state.withLock { state -> [String] in
      state.failure = state.failure ?? failure
      return state.order.filter { state.entries[$0]?.end == nil }
    }
    giveUp("Slurm is unreachable: \(failure.message)")
    // Best effort: what was submitted must not stay queued if the controller comes back.
    if !unfinished.isEmpty { Task { await scancel(unfinished) } }
  }

  // MARK: - Jobs

  /// Starts watching job `id`, just submitted.
  func track(_ id: String) {
    let start = state.withLock { state -> Bool in
      state.entries[id] = Entry()
      state.order.append(id)
      state.interval = pace.fastest
      defer { state.polling = true }
      return !state.polling
    }
    if start { Task { await poll() } }
  }

  /// Waits until job `id` has ended.
  func end(of id: String) async -> End {
    await withCheckedContinuation { continuation in
      let ended = state.withLock { state -> End? in
        if let end = state.entries[id]?.end { return end }
        if let reason = state.abandoned { return .abandoned(reason) }
        state.entries[id]?.waiter = continuation
        return nil
      }
      if let ended { continuation.resume(returning: ended) }
    }
  }

  /// The jobs submitted and not yet seen running, and those running.
  var counts: (queued: Int, running: Int) {
    state.withLock { state in
      state.entries.values.reduce(into: (0, 0)) { counts, entry in
        guard entry.end == nil else { return }
        if entry.phase == .queued { counts.0 += 1 } else { counts.1 += 1 }
      }
    }
  }

  /// Whether job `id` is still queued, as the last poll saw it.
  func isQueued(_ id: String) -> Bool {
    state.withLock { $0.entries[id]?.phase == .queued }
  }

  // MARK: - Stopping

  /// Cancels job `id` (`scancel`); cancels asked for together go out as one call.
  func cancel(_ id: String) {
    let schedule = state.withLock { state -> Bool in
      guard let entry = state.entries[id], entry.end == nil else { return false }
      state.entries[id]?.cancelledByBatchrun = true
      state.cancels.append(id)
      state.hurry = true
      defer { state.cancelScheduled = true }
      return !state.cancelScheduled
    }
    guard schedule else { return }
    Task {
      // The scheduler stops every running job in one go: let the others join this call.
      try? await Task.sleep(for: .milliseconds(20))
      let ids = state.withLock { state -> [String] in
        defer {
          state.cancels = []
          state.cancelScheduled = false
        }
        return state.cancels
      }
      await scancel(ids)
    }
  }

  /// Sends `signal` to job `id`'s processes, the batch script included (`scancel --full`).
  func signal(_ id: String, _ signal: String) async {
    _ = await command.run(["scancel", "--full", "--signal=\(signal)", id])
    state.withLock { $0.hurry = true }
  }

  /// Sends one `scancel` per batch of ids and waits for it.
  func scancel(_ ids: [String]) async {
    for chunk in stride(from: 0, to: ids.count, by: 500).map({ Array(ids[$0..<min($0 + 500, ids.count)]) }) {
      _ = await command.run(["scancel"] + chunk)
    }
    state.withLock { $0.hurry = true }
  }

  /// A second Ctrl-C: cancels every unfinished job now, on this thread (the `scancel` is
  /// sent before this returns), and stops waiting for them.
  func abandonAll() {
    let ids = state.withLock { state -> [String] in
      state.order.filter { state.entries[$0]?.end == nil }
    }
    if !ids.isEmpty { _ = command.runNow(["scancel"] + ids) }
    resolveAll(.abandoned("batchrun stopped waiting for it (a second interrupt); scancel was sent"))
  }

  /// Slurm became unreachable: stops waiting for every job.
  func giveUp(_ reason: String) {
    resolveAll(.abandoned(reason))
  }

  private func resolveAll(_ end: End) {
    let waiters = state.withLock { state -> [CheckedContinuation<End, Never>] in
      if case .abandoned(let reason) = end { state.abandoned = state.abandoned ?? reason }
      var waiters: [CheckedContinuation<End, Never>] = []
      for id in state.order where state.entries[id]?.end == nil {
        state.entries[id]?.end = end
        if let waiter = state.entries[id]?.waiter { waiters.append(waiter) }
        state.entries[id]?.waiter = nil
      }
      return waiters
    }
    for waiter in waiters { waiter.resume(returning: end) }
    finishDrainIfIdle()
  }

  /// Returns once no tracked job is unfinished.
  func drain() async {
    await withCheckedContinuation { continuation in
      let now = state.withLock { state -> Bool in
        guard state.entries.values.contains(where: { $0.end == nil }) else { return true }
        state.drainWaiters.append(continuation)
        return false
      }
      if now { continuation.resume() }
    }
  }

  private func finishDrainIfIdle() {
    let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
      guard !state.entries.values.contains(where: { $0.end == nil }) else { return [] }
      defer { state.drainWaiters = [] }
      return state.drainWaiters
    }
    for waiter in waiters { waiter.resume() }
  }

  // MARK: - Polling

  /// Polls until no tracked job is unfinished.
  private func poll() async {
    var last = ContinuousClock.now
    while true {
      // Sleep in short steps, so that a hurry (a cancel, a timeout) cuts the wait.
      while true {
        let (interval, hurry) = state.withLock { state in (state.interval, state.hurry) }
        let waited = ContinuousClock.now - last
        if waited >= interval || (hurry && waited >= pace.fastest) { break }
        try? await Task.sleep(for: min(.milliseconds(50), interval - waited))
      }
      let ids = state.withLock { state -> [String] in
        state.hurry = false
        return state.order.filter { state.entries[$0]?.end == nil }
      }
      guard !ids.isEmpty else {
        let stop = state.withLock { state -> Bool in
          // A job tracked since the last look keeps this loop going.
          guard !state.order.contains(where: { state.entries[$0]?.end == nil }) else { return false }
          state.polling = false
          return true
        }
        if stop { return }
        continue
      }
      last = ContinuousClock.now
      let output = await command.run(
        ["squeue", "-h", "-t", "all", "-j", ids.joined(separator: ","), "-O", SlurmJobRecord.squeueFormat])
      let records: [SlurmJobRecord]
      if output.succeeded {
        records = SlurmJobRecord.parseSqueue(output.stdout)
      } else if output.status != nil, output.message.contains("Invalid job id") {
        records = []
      } else {
        if unreachable(output.message) { return }
        continue
      }
      state.withLock { $0.failingSince = nil }
      let changed = await apply(records, asked: ids)
      state.withLock { state in
        state.interval = changed ? pace.fastest : min(pace.slowest, state.interval * 1.5)
      }
      finishDrainIfIdle()
    }
  }

  /// Notes a failed poll; after ``Pace/unreachableAfter`` of them in a row, gives up on
  /// every job and returns `true`.
  private func unreachable(_ message: String) -> Bool {
    let now = ContinuousClock.now
    let since = state.withLock { state -> ContinuousClock.Instant in
      state.failingSince = state.failingSince ?? now
      state.interval = min(pace.slowest, max(pace.fastest, state.interval * 1.5))
      return state.failingSince!
    }
    guard now - since >= pace.unreachableAfter else { return false }
    let reason = "squeue has failed for \(pace.unreachableAfter.components.seconds) s: \(message)"
    fail(SlurmFailure(.unreachable, reason))
    state.withLock { $0.polling = false }
    return true
  }

  /// Takes a poll's records for the `asked` jobs; returns whether anything changed.
  private func apply(_ records: [SlurmJobRecord], asked: [String]) async -> Bool {
    var seen = Set<String>()
    var changed = false
    var ended: [(CheckedContinuation<End, Never>?, End)] = []
    var missing: [String] = []
    state.withLock { state in
      for record in records {
        guard var entry = state.entries[record.id], entry.end == nil else { continue }
        seen.insert(record.id)
        entry.missingSince = nil
        if entry.phase != record.phase { changed = true }
        entry.phase = record.phase
        entry.node = record.node ?? entry.node
        if record.phase == .ended {
          let end = End.record(record, cancelledByBatchrun: entry.cancelledByBatchrun)
          entry.end = end
          ended.append((entry.waiter, end))
          entry.waiter = nil
        }
        state.entries[record.id] = entry
      }
      missing = asked.filter { !seen.contains($0) && state.entries[$0]?.end == nil }
    }
    for (waiter, end) in ended { waiter?.resume(returning: end) }
    for id in missing where await lookUp(id) { changed = true }
    return changed
  }

  /// Looks for job `id`, missing from `squeue`, in `sacct` or `scontrol`; ends it when found
  /// in a final state, or as lost after ``Pace/lostAfter``. Returns whether it ended.
  private func lookUp(_ id: String) async -> Bool {
    var record: SlurmJobRecord?
    if accounting {
      let output = await command.run(
        ["sacct", "-n", "-P", "-X", "-j", id, "-o", "JobIDRaw,State,ExitCode,NodeList"])
      record = output.succeeded ? SlurmJobRecord.parseSacct(output.stdout).first { $0.id == id } : nil
    } else {
      let output = await command.run(["scontrol", "show", "job", "-o", id])
      record = output.succeeded ? SlurmJobRecord.parseScontrol(output.stdout) : nil
    }
    let now = ContinuousClock.now
    let (waiter, end) = state.withLock { state -> (CheckedContinuation<End, Never>?, End?) in
      guard var entry = state.entries[id], entry.end == nil else { return (nil, nil) }
      defer { state.entries[id] = entry }
      if let record, record.phase == .ended {
        entry.end = .record(record, cancelledByBatchrun: entry.cancelledByBatchrun)
      } else if record == nil {
        entry.missingSince = entry.missingSince ?? now
        if now - entry.missingSince! >= pace.lostAfter {
          entry.end = .lost(
            "Slurm has no record of job \(id) any more (squeue, \(accounting ? "sacct" : "scontrol")):"
              + " its outcome is unknown")
        }
      }
      defer { entry.waiter = entry.end == nil ? entry.waiter : nil }
      return (entry.end == nil ? nil : entry.waiter, entry.end)
    }
    if let end { waiter?.resume(returning: end) }
    return end != nil
  }
}
