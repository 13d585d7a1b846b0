import Glibc
import Synchronization

/// The process groups of running jobs, and the teardown of each: SIGTERM, grace, SIGKILL.
///
/// A group stays listed until none of its processes is left, so that a late SIGKILL can
/// never reach a reused process-group id: each entry carries a generation number.
final class ProcessGroups: Sendable {
  private struct State {
    var generations: [pid_t: UInt64] = [:]
    var nextGeneration: UInt64 = 0
    var waiters: [CheckedContinuation<Void, Never>] = []
  }

  private let state = Mutex(State())
  /// Whether this process is a child subreaper: only then are escaped descendants its
  /// children, to find in `/proc`, stop and reap. Otherwise only a job's group is its
  /// concern, and children that are not jobs' (a host program's) are never touched.
  private let adoptsOrphans: Bool

  init(adoptsOrphans: Bool) {
    self.adoptsOrphans = adoptsOrphans
  }

  /// Lists a new group (its leader's pid) and returns its generation.
  func insert(_ pgid: pid_t) -> UInt64 {
    state.withLock { state in
      state.nextGeneration += 1
      state.generations[pgid] = state.nextGeneration
      return state.nextGeneration
    }
  }

  private func isCurrent(_ pgid: pid_t, _ generation: UInt64) -> Bool {
    state.withLock { $0.generations[pgid] == generation }
  }

  private func remove(_ pgid: pid_t) {
    let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
      state.generations[pgid] = nil
      guard state.generations.isEmpty else { return [] }
      defer { state.waiters = [] }
      return state.waiters
    }
    for waiter in waiters { waiter.resume() }
  }

  /// Stops a running job: SIGTERM to its group now, SIGKILL after `grace` if any is left.
  func stop(_ pgid: pid_t, generation: UInt64, grace: Duration) {
    kill(-pgid, SIGTERM)
    Task {
      try? await Task.sleep(for: grace)
      if self.isCurrent(pgid, generation) { kill(-pgid, SIGKILL) }
    }
  }

  /// After a job's main process has exited: terminates what it left in its group
  /// (SIGTERM, the grace, SIGKILL) and returns once the group is gone, so that the job's
  /// log is complete; the orphans that escaped the group (adopted children carrying
  /// `markers` in their environment) are terminated in the background. Then forgets the
  /// group.
  func cleanUpLeftovers(_ pgid: pid_t, grace: Duration, markers: @autoclosure () -> [String]) async {
    let markers = adoptsOrphans ? markers() : []
    if adoptsOrphans { Self.reap(group: pgid) }
    if Self.isAlive(group: pgid) {
      await Self.terminate(grace: grace, group: pgid, orphans: [])
    }
    let escaped = adoptedOrphans(carrying: markers)
    guard !escaped.isEmpty else { return remove(pgid) }
    Task {
      await Self.terminate(grace: grace, group: nil, orphans: escaped)
      // Killing the group may orphan more escapees (a double fork's grandchild).
      await Self.terminate(grace: grace, group: nil, orphans: self.adoptedOrphans(carrying: markers))
      self.remove(pgid)
    }
  }

  /// Adopted children carrying `markers`, but never a running job's main process.
  /// Adopted children that have already exited are reaped on the way.
  private func adoptedOrphans(carrying markers: [String]) -> [pid_t] {
    guard adoptsOrphans, reapAdoptedZombies() else { return [] }  // the common case: one read of one file
    let mains = state.withLock { Set($0.generations.keys) }
    return Orphans.adopted(carrying: markers, excluding: mains)
  }

  /// Reaps adopted children (orphans re-parented to this subreaper) that have exited,
  /// so they do not linger as zombies until the run ends. Job main processes are the
  /// children of the thread that spawned them, never of the main thread, and are skipped
  /// besides. Returns whether any adopted child is still alive.
  @discardableResult
  func reapAdoptedZombies() -> Bool {
    let adopted = Orphans.adopted()
    guard !adopted.isEmpty else { return false }
    let mains = state.withLock { Set($0.generations.keys) }
    return adopted.contains { !mains.contains($0) && !Orphans.reapIfExited($0) }
  }

  /// Sends SIGTERM to a group and to orphans, SIGKILL after `grace` to what is left,
  /// and reaps what is ours.
  static func terminate(grace: Duration, group pgid: pid_t?, orphans: [pid_t]) async {
    var orphans = orphans
    if let pgid { kill(-pgid, SIGTERM) }
    for orphan in orphans { Orphans.signal(orphan, SIGTERM) }
    let clock = ContinuousClock()
    let deadline = clock.now + grace
    var killed = false
    var pause = Duration.milliseconds(5)
    while true {
      if let pgid { reap(group: pgid) }
      orphans.removeAll(where: Orphans.reapIfExited)
      if orphans.isEmpty, !(pgid.map(isAlive(group:)) ?? false) { return }
      if clock.now >= deadline {
        if killed { return }  // unkillable (a zombie not ours): give up after one more grace
        if let pgid { kill(-pgid, SIGKILL) }
        for orphan in orphans { Orphans.signal(orphan, SIGKILL) }
        killed = true
      }
      try? await Task.sleep(for: pause)
      pause = min(pause * 2, .milliseconds(100))
    }
  }

  /// At the end of a run: terminate the adopted children left, those carrying `marker`
  /// in their environment, or every child when `marker` is `nil`; until none is left
  /// (bounded, for processes that keep forking).
  func sweep(grace: Duration, carrying marker: String?) async {
    for _ in 0..<5 {
      let children = marker.map { Orphans.adopted(carrying: [$0], excluding: []) } ?? Orphans.children()
      if children.isEmpty { return }
      await Self.terminate(grace: grace, group: nil, orphans: children)
    }
  }

  /// SIGKILL to every listed group, at once.
  func killAll() {
    for pgid in state.withLock({ Array($0.generations.keys) }) {
      kill(-pgid, SIGKILL)
    }
  }

  /// Returns once no group is listed.
  func waitUntilEmpty() async {
    await withCheckedContinuation { continuation in
      let done = state.withLock { state -> Bool in
        if state.generations.isEmpty { return true }
        state.waiters.append(continuation)
        return false
      }
      if done { continuation.resume() }
    }
  }

  /// Whether any process is left in the group.
  static func isAlive(group pgid: pid_t) -> Bool {
    kill(-pgid, 0) == 0 || errno == EPERM
  }

  /// Reaps exited children of ours in `pgid` (orphans adopted as subreaper). Safe while
  /// other jobs run: their main processes lead groups of their own.
  static func reap(group pgid: pid_t) {
    reapExited(P_PGID, id_t(pgid))
  }

  /// Reaps every exited child; only for when no job's main process is being waited for.
  static func reapAnyChildren() {
    reapExited(P_ALL, 0)
  }

  private static func reapExited(_ type: idtype_t, _ id: id_t) {
    var info = siginfo_t()
    while waitid(type, id, &info, WEXITED | WNOHANG) == 0, info._sifields._kill.si_pid != 0 {
      info = siginfo_t()
    }
  }
}
