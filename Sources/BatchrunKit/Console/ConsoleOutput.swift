import CBatchrunShims
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
  static let droppableLimit = 1 << 20
  /// Bytes waiting before any text is dropped.
  static let limit = 16 << 20
  /// How long a `write` may sit without progress before the reader counts as stalled.
  static let stall = Duration.milliseconds(100)

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
    /// Waits of ``flush(stall:limit:)`` that the writer is to end, by posting `progress`
    /// once each, when it writes, empties the buffer or loses the reader.
    var flushWaits = 0

    /// Whether nothing is left to write, or nothing can be.
    var settled: Bool { gone || (idle && pending.isEmpty) }

    /// Takes the flush waits to end: the caller posts `progress` that many times.
    mutating func takeFlushWaits() -> Int {
      defer { flushWaits = 0 }
      return flushWaits
    }
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
  /// Posted by the writer for each flush wait it ends.
  private nonisolated(unsafe) let progress: UnsafeMutablePointer<sem_t>

  /// - Parameter fd: the descriptor to write to; standard output by default.
  public init(fd: Int32 = STDOUT_FILENO) {
    self.fd = fd
    wake = .allocate(capacity: 1)
    sem_init(wake, 0, 0)
    progress = .allocate(capacity: 1)
    sem_init(progress, 0, 0)
  }

  deinit {
    // The writer thread holds a strong reference while it runs, so it has stopped.
    sem_destroy(wake)
    wake.deallocate()
    sem_destroy(progress)
    progress.deallocate()
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
        endFlushWaits(
          state.withLock { state in
            state.gone = true
            return state.takeFlushWaits()
          })
      }
    }
    if post { sem_post(wake) }
    return taken
  }

  /// Waits until everything queued is written, the reader is gone, or the reader has
  /// taken nothing for `stall` (a pager nobody scrolls); at most `limit` in all. The
  /// writer wakes the wait whenever it writes, so it ends as soon as it may.
  public func flush(stall: Duration = .milliseconds(500), limit: Duration = .seconds(10)) {
    let clock = ContinuousClock()
    let deadline = clock.now + limit
    var lastProgress = clock.now
    var lastWritten = -1
    while true {
      let now = clock.now
      // Checked and registered under one lock, the one the writer reports under: no
      // wake-up is lost between the two.
      let written = state.withLock { state -> Int? in
        if state.settled { return nil }
        state.flushWaits += 1
        return state.written
      }
      guard let written else { return }
      if written != lastWritten {
        lastWritten = written
        lastProgress = now
      }
      let until = min(deadline, lastProgress + stall)
      guard now < until else { return cancelFlushWait() }
      let wait = min(until - now, .seconds(60))
      let nanoseconds = wait.components.seconds * 1_000_000_000 + wait.components.attoseconds / 1_000_000_000
      if batchrun_semaphore_wait(progress, nanoseconds) != 0 { cancelFlushWait() }
    }
  }

  /// Withdraws a flush wait that timed out; if the writer has already taken it, takes
  /// the post it makes (at once, or just after it lets go of the lock).
  private func cancelFlushWait() {
    let taken = state.withLock { state -> Bool in
      guard state.flushWaits > 0 else { return true }
      state.flushWaits -= 1
      return false
    }
    if taken {
      _ = retryingOnInterrupt { sem_wait(progress) }
    }
  }

  /// Ends `count` flush waits.
  private func endFlushWaits(_ count: Int) {
    for _ in 0..<count { sem_post(progress) }
  }

  /// The writing thread: takes what is queued and writes it, until the reader is gone.
  private func drain() {
    while true {
      let (chunk, flushWaits) = state.withLock { state -> ([UInt8]?, Int) in
        if state.gone { return (nil, 0) }
        if state.pending.isEmpty {
          state.idle = true
          return ([], state.takeFlushWaits())
        }
        defer { state.pending = [] }
        return (state.pending, 0)
      }
      endFlushWaits(flushWaits)
      guard let chunk else { return }
      if chunk.isEmpty {
        _ = retryingOnInterrupt { sem_wait(wake) }
        continue
      }
      state.withLock { $0.writingSince = .now }
      let ok = chunk.withUnsafeBytes { bytes in
        FileBytes.writeAll(fd, bytes) { count in
          self.endFlushWaits(
            self.state.withLock { state in
              state.written += count
              state.writingSince = .now
              return state.takeFlushWaits()
            })
        }
      }
      state.withLock { $0.writingSince = nil }
      if !ok {
        // EPIPE, EBADF, EIO: nobody will read what comes next.
        endFlushWaits(
          state.withLock { state in
            state.gone = true
            state.pending = []
            return state.takeFlushWaits()
          })
        return
      }
    }
  }
}
