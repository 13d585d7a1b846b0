import Glibc
import Synchronization

/// Standard output behind a bounded buffer and a writing thread of its own, so that a
/// terminal or pipe nobody reads never holds up the scheduler, timeouts or signals.
///
/// - Job output (droppable text) is refused once ``droppableLimit`` bytes wait and the
///   reader has taken nothing for ``stall``; the console reporter then prints a one-line
///   marker naming the job's log instead. A reader that keeps up (a file, a terminal
///   being read) is never dropped from, up to ``limit`` bytes.
/// - Other text (job lines, the summary) waits up to ``limit`` bytes, then is dropped too.
/// - A closed reader (`EPIPE`, as under `| head -1`) means the console is gone: later
///   text is discarded and the run goes on to its end.
public final class ConsoleOutput: ConsoleSink {
  /// Bytes waiting before job output is refused.
  public static let droppableLimit = 1 << 20
  /// Bytes waiting before any text is dropped.
  public static let limit = 16 << 20
  /// How long a `write` may sit without progress before the reader counts as stalled.
  public static let stall = Duration.milliseconds(100)

  private struct State {
    var pending: [UInt8] = []
    /// The writer is waiting for text (and will be woken by a post).
    var idle = true
    var started = false
    /// The reader is gone or the descriptor cannot be written: discard everything.
    var gone = false
    /// Bytes handed to `write` so far, to tell a slow reader from a blocked one.
    var written = 0
    /// When the writer last began a `write` or saw one progress, while it is in one.
    var writingSince: ContinuousClock.Instant?
    /// Non-droppable bytes dropped past ``limit``.
    var dropped = 0
  }

  private let fd: Int32
  public var descriptor: Int32? { fd }
  public var hasRoom: Bool { state.withLock { $0.gone || Self.room(in: $0, for: 1, droppable: true) } }

  /// Whether `size` more bytes fit: job output only below ``droppableLimit`` while the
  /// reader stalls, any text below ``limit``.
  private static func room(in state: State, for size: Int, droppable: Bool) -> Bool {
    let after = state.pending.count + size
    guard after <= limit else { return false }
    guard droppable, after > droppableLimit, let since = state.writingSince else { return true }
    return ContinuousClock.now - since < stall
  }
  private let state = Mutex(State())
  /// Posted when text arrives for an idle writer.
  private nonisolated(unsafe) let wake: UnsafeMutablePointer<sem_t>

  /// - Parameter fd: the descriptor to write to; standard output by default.
  public init(fd: Int32 = STDOUT_FILENO) {
    self.fd = fd
    wake = .allocate(capacity: 1)
    sem_init(wake, 0, 0)
  }

  deinit {
    // The writer thread holds a strong reference while it runs, so it has stopped.
    sem_destroy(wake)
    wake.deallocate()
  }

  public func write(_ text: String, droppable: Bool) -> Bool {
    let (taken, post, start) = state.withLock { state -> (Bool, Bool, Bool) in
      if state.gone { return (true, false, false) }
      let size = text.utf8.count
      guard Self.room(in: state, for: size, droppable: droppable) else {
        if !droppable { state.dropped += size }
        return (false, false, false)
      }
      state.pending.append(contentsOf: text.utf8)
      let post = state.idle
      state.idle = false
      let start = !state.started
      state.started = true
      return (true, post && !start, start)
    }
    if start {
      if !DetachedThread.start({ [self] in drain() }) {
        state.withLock { $0.gone = true }
      }
    }
    if post { sem_post(wake) }
    return taken
  }

  /// Waits until everything queued is written, the reader is gone, or the reader has
  /// taken nothing for `stall` (a pager nobody scrolls); at most `limit` in all.
  public func flush(stall: Duration = .milliseconds(500), limit: Duration = .seconds(10)) {
    let clock = ContinuousClock()
    let deadline = clock.now + limit
    var lastProgress = clock.now
    var lastWritten = -1
    while clock.now < deadline {
      let (done, written) = state.withLock { ($0.gone || ($0.idle && $0.pending.isEmpty), $0.written) }
      if done { return }
      if written != lastWritten {
        lastWritten = written
        lastProgress = clock.now
      } else if clock.now - lastProgress >= stall {
        return
      }
      var pause = timespec(tv_sec: 0, tv_nsec: 2_000_000)
      nanosleep(&pause, nil)
    }
  }

  /// The writing thread: takes what is queued and writes it, until the reader is gone.
  private func drain() {
    while true {
      let chunk = state.withLock { state -> [UInt8]? in
        if state.gone { return nil }
        if state.pending.isEmpty {
          state.idle = true
          return []
        }
        defer { state.pending = [] }
        return state.pending
      }
      guard let chunk else { return }
      if chunk.isEmpty {
        while sem_wait(wake) != 0 {}  // EINTR
        continue
      }
      state.withLock { $0.writingSince = .now }
      let ok = chunk.withUnsafeBytes { bytes in
        FileBytes.writeAll(fd, bytes) { count in
          self.state.withLock { state in
            state.written += count
            state.writingSince = .now
          }
        }
      }
      state.withLock { $0.writingSince = nil }
      if !ok {
        // EPIPE, EBADF, EIO: nobody will read what comes next.
        state.withLock { state in
          state.gone = true
          state.pending = []
        }
        return
      }
    }
  }
}
