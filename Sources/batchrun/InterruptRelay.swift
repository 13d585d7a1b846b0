import BatchrunKit
import Synchronization

/// Holds the stop signals that arrive while a run is being set up, and hands them, and
/// every later one, to the run once it exists.
final class InterruptRelay: Sendable {
  private struct State {
    var session: RunSession?
    var received: [Int32] = []
  }

  private let state = Mutex(State())

  /// The first signal received before the run existed, if any.
  var firstSignal: Int32? { state.withLock { $0.received.first } }

  /// Takes a signal: to the run if there is one, else kept for it.
  func receive(_ signal: Int32) {
    let session = state.withLock { state -> RunSession? in
      if state.session == nil { state.received.append(signal) }
      return state.session
    }
    session?.interrupt(signal: signal)
  }

  /// Hands the signals kept so far, and every later one, to `session`.
  func attach(_ session: RunSession) {
    let received = state.withLock { state -> [Int32] in
      state.session = session
      defer { state.received = [] }
      return state.received
    }
    for signal in received { session.interrupt(signal: signal) }
  }
}
