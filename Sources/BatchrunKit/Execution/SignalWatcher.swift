import CBatchrunShims
import Glibc
import Synchronization

/// Receives SIGINT, SIGTERM and SIGHUP on a thread of its own, from a mask that blocks
/// them everywhere else, so that a signal is honoured at any moment of a run, its first
/// milliseconds included.
///
/// The `batchrun` tool blocks them before `main` (threads inherit the mask), then creates
/// one watcher. A handler that only writes to a pipe catches them too, for a thread that
/// unblocks every signal while it waits (as swift-subprocess's monitor does): wherever a
/// signal lands, the watcher hears it. Jobs start with an empty mask and default
/// dispositions whatever batchrun blocks, catches or ignores.
public final class SignalWatcher: Sendable {
  /// What to do with a signal; `nil`: exit with 128+n at once.
  private let handler = Mutex<(@Sendable (Int32) -> Void)?>(nil)

  /// Starts the watching thread. A signal that arrives while no handler is set ends the
  /// process with exit code 128+n.
  public init() {
    guard batchrun_catch_stop_signals() == 0 else { return }
    DetachedThread.start { [self] in watch() }
  }

  /// Sets what to do with the next signals; `nil` restores exiting with 128+n.
  public func handle(_ handler: (@Sendable (Int32) -> Void)?) {
    self.handler.withLock { $0 = handler }
  }

  private func watch() {
    while true {
      let number = batchrun_next_stop_signal()
      if let handler = handler.withLock({ $0 }) {
        handler(number)
      } else {
        Self.exitFor(number)
      }
    }
  }

  /// Ends the process with exit code 128+n, as a stopped run does: nothing has started
  /// that would need cleaning up.
  private static func exitFor(_ number: Int32) -> Never {
    _exit(ExitStatus.signal(number))
  }
}
