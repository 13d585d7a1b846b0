import CBatchrunShims
import Glibc
import Synchronization

/// Collects the exits of jobs' main processes on one thread of its own, and hands each
/// to the task awaiting it: no task group, watcher task or thread hop per job.
///
/// - ``Mode/allChildren`` (the `batchrun` tool, a child subreaper): the thread blocks in
///   `waitid(P_ALL)` and reaps every child, jobs' main processes and adopted orphans
///   alike, so no zombie lingers however a job's descendants end.
/// - ``Mode/jobsOnly`` (a library host): each main process gets a pidfd on one epoll, and
///   only those are reaped, so a host program's own children are never touched.
final class Reaper: Sendable {
  enum Mode: Sendable {
    case allChildren
    case jobsOnly
  }

  private struct Entry {
    var continuation: CheckedContinuation<AttemptExit.Termination, Never>?
    var termination: AttemptExit.Termination?
  }

  private struct State {
    var entries: [pid_t: Entry] = [:]
    /// pidfd to pid, in ``Mode/jobsOnly``.
    var pids: [Int32: pid_t] = [:]
    /// Spawns under way (``Mode/allChildren``): while one is, an exited child that is not
    /// registered may be its, and is left a zombie until a spawn ends.
    var spawning = 0
    /// The collecting thread waits for a spawn to end (on `registered`).
    var waitsForRegistration = false
  }

  let mode: Mode
  private let state = Mutex(State())
  private let started = Atomic(false)
  /// The epoll of pidfds (``Mode/jobsOnly``), or -1.
  private let epoll: Int32
  /// Written to stop the epoll thread when the reaper goes away.
  private let shutdown: Int32
  /// Posted after each spawn, so that a waiter with no child left looks again.
  private nonisolated(unsafe) let spawned: UnsafeMutablePointer<sem_t>
  /// Posted when a spawn ends while the collecting thread waits for it.
  private nonisolated(unsafe) let registered: UnsafeMutablePointer<sem_t>

  init(mode: Mode) {
    self.mode = mode
    spawned = .allocate(capacity: 1)
    sem_init(spawned, 0, 0)
    registered = .allocate(capacity: 1)
    sem_init(registered, 0, 0)
    if mode == .jobsOnly {
      epoll = batchrun_epoll_create()
      shutdown = eventfd(0, Int32(EFD_CLOEXEC))
      batchrun_epoll_add(epoll, shutdown, -1)
    } else {
      epoll = -1
      shutdown = -1
    }
  }

  deinit {
    if mode == .jobsOnly {
      if started.load(ordering: .acquiring) {
        // The epoll thread owns the descriptors: it closes them when it reads this.
        var one: UInt64 = 1
        _ = write(shutdown, &one, 8)
      } else {
        close(epoll)
        close(shutdown)
      }
    }
    sem_destroy(spawned)
    spawned.deallocate()
    sem_destroy(registered)
    registered.deallocate()
  }

  /// Runs `spawn` (which starts one process and returns its pid, or an error number),
  /// registering the process before its exit can be collected.
  ///
  /// No lock is held while the process starts, so that other workers' spawns and the
  /// collecting thread never wait for it: in ``Mode/allChildren`` a child that exits
  /// before it is registered is left a zombie (its pid cannot be reused) while any spawn
  /// is under way; in ``Mode/jobsOnly`` a process is watched only once it is registered.
  func spawn(_ spawn: () -> (pid: pid_t, error: Int32)) -> (pid: pid_t, error: Int32) {
    startIfNeeded()
    switch mode {
    case .allChildren:
      state.withLock { $0.spawning += 1 }
      let result = spawn()
      let wake = state.withLock { state in
        if result.error == 0 { state.entries[result.pid] = Entry() }
        state.spawning -= 1
        defer { state.waitsForRegistration = false }
        return state.waitsForRegistration
      }
      if wake { sem_post(registered) }
      if result.error == 0 { sem_post(spawned) }
      return result
    case .jobsOnly:
      let result = spawn()
      guard result.error == 0 else { return result }
      let pidfd = batchrun_pidfd_open(result.pid)
      state.withLock { state in
        state.entries[result.pid] = Entry()
        if pidfd >= 0 { state.pids[pidfd] = result.pid }
      }
      if pidfd >= 0 {
        batchrun_epoll_add(epoll, pidfd, pidfd)
      } else {
        // No pidfds (a kernel before 5.3): this one is reaped by pid, on a thread.
        let pid = result.pid
        DetachedThread.start { [self] in
          var status: Int32 = 0
          _ = retryingOnInterrupt { waitpid(pid, &status, 0) }
          finish(pid, Self.termination(ofWaitStatus: status))
        }
      }
      return result
    }
  }

  /// Waits until the process `pid` (started through ``spawn(_:)``) exits.
  func termination(of pid: pid_t) async -> AttemptExit.Termination {
    await withCheckedContinuation { continuation in
      let done = state.withLock { state -> AttemptExit.Termination? in
        if let termination = state.entries[pid]?.termination {
          state.entries[pid] = nil
          return termination
        }
        state.entries[pid, default: Entry()].continuation = continuation
        return nil
      }
      if let done { continuation.resume(returning: done) }
    }
  }

  private func finish(_ pid: pid_t, _ termination: AttemptExit.Termination) {
    let continuation = state.withLock { state -> CheckedContinuation<AttemptExit.Termination, Never>? in
      // Not a job's main process (an adopted orphan): reaped, nothing to tell.
      guard var entry = state.entries[pid] else { return nil }
      guard let continuation = entry.continuation else {
        entry.termination = termination
        state.entries[pid] = entry
        return nil
      }
      state.entries[pid] = nil
      return continuation
    }
    continuation?.resume(returning: termination)
  }

  private func startIfNeeded() {
    guard !started.load(ordering: .relaxed),
      started.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged
    else { return }
    switch mode {
    case .allChildren:
      DetachedThread.start { [self] in reapAllChildren() }
    case .jobsOnly:
      let (epoll, shutdown) = (epoll, shutdown)
      DetachedThread.start { [weak self] in
        var ready = [Int32](repeating: 0, count: 64)
        while true {
          let count = batchrun_epoll_wait(epoll, &ready, Int32(ready.count))
          for tag in ready.prefix(max(0, Int(count))) {
            guard tag != -1 else {
              close(epoll)
              close(shutdown)
              return
            }
            if let reaper = self {
              reaper.collect(pidfd: tag)
            } else {
              // The reaper is going away: reap its last process all the same.
              var code: Int32 = 0
              var status: Int32 = 0
              _ = batchrun_wait_pidfd(tag, &code, &status)
              batchrun_epoll_remove_and_close(epoll, tag)
            }
          }
        }
      }
    }
  }

  /// ``Mode/allChildren``: reaps every child as it exits, for the life of the process.
  private func reapAllChildren() {
    while true {
      var code: Int32 = 0
      var status: Int32 = 0
      let pid = batchrun_wait_any(&code, &status, 1)
      if pid > 0 {
        // A child no spawn has registered yet, while one is under way, may be that
        // spawn's: it stays a zombie until the spawn ends, then is looked at again.
        let wait = state.withLock { state in
          guard state.entries[pid] == nil, state.spawning > 0 else { return false }
          state.waitsForRegistration = true
          return true
        }
        if wait {
          _ = retryingOnInterrupt { sem_wait(registered) }
          continue
        }
        var info = siginfo_t()
        _ = retryingOnInterrupt { waitid(P_PID, id_t(pid), &info, WEXITED) }
        finish(pid, Self.termination(code: code, status: status))
      } else if errno == ECHILD {
        // No child now: wait for a spawn, and look now and then for adopted orphans.
        var deadline = timespec()
        clock_gettime(CLOCK_REALTIME, &deadline)
        deadline.tv_nsec += 100_000_000
        if deadline.tv_nsec >= 1_000_000_000 {
          deadline.tv_sec += 1
          deadline.tv_nsec -= 1_000_000_000
        }
        _ = sem_timedwait(spawned, &deadline)
      }
    }
  }

  /// ``Mode/jobsOnly``: reaps the job's main process whose pidfd says it exited.
  private func collect(pidfd: Int32) {
    let pid = state.withLock { $0.pids.removeValue(forKey: pidfd) }
    var code: Int32 = 0
    var status: Int32 = 0
    let reaped = batchrun_wait_pidfd(pidfd, &code, &status) == 0
    batchrun_epoll_remove_and_close(epoll, pidfd)
    if let pid, reaped { finish(pid, Self.termination(code: code, status: status)) }
  }

  private static func termination(code: Int32, status: Int32) -> AttemptExit.Termination {
    code == CLD_EXITED ? .exited(status) : .signaled(status)
  }

  private static func termination(ofWaitStatus status: Int32) -> AttemptExit.Termination {
    status & 0x7f == 0 ? .exited((status >> 8) & 0xff) : .signaled(status & 0x7f)
  }
}
