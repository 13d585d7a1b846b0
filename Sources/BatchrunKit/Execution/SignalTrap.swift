import Dispatch
import Glibc

/// Catches SIGINT, SIGTERM and SIGHUP for batchrun itself, instead of dying of them.
///
/// Jobs still start with default dispositions: the executor resets every signal in the
/// child. Jobs run in sessions of their own, so a terminal's Ctrl-C reaches only
/// batchrun, which forwards it through the scheduler.
public final class SignalTrap {
  /// The signals that stop a run.
  public static let stopSignals: [Int32] = [SIGINT, SIGTERM, SIGHUP]

  private let sources: [any DispatchSourceSignal]

  public init(signals: [Int32] = SignalTrap.stopSignals, handler: @escaping @Sendable (Int32) -> Void) {
    // A parent may have started batchrun with these signals blocked (Foundation.Process
    // from async code does): unblock them, or they would stay pending forever.
    var set = sigset_t()
    sigemptyset(&set)
    for number in signals { sigaddset(&set, number) }
    pthread_sigmask(SIG_UNBLOCK, &set, nil)
    let queue = DispatchQueue(label: "batchrun.signals")
    sources = signals.map { number in
      signal(number, SIG_IGN)
      let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
      source.setEventHandler { handler(number) }
      source.resume()
      return source
    }
  }

  /// Stops catching: the signals get their default action back.
  public func cancel() {
    for source in sources {
      source.cancel()
      signal(Int32(source.handle), SIG_DFL)
    }
  }
}
