import Synchronization

/// The scheduler's handle on one running attempt: lets it ask the executor to stop it.
///
/// A stop asked for before the executor has started the process takes effect as soon
/// as it has.
public final class AttemptControl: Sendable {
  /// Why an attempt was stopped.
  enum StopReason: Sendable, Equatable {
    case timedOut
    case cancelled(String)
  }

  private struct State {
    var reason: StopReason?
    var handler: (@Sendable () -> Void)?
    /// Whether the stop reached the executor's handler (the attempt was running).
    var delivered = false
  }

  private let state = Mutex(State())

  init() {}

  /// Why the attempt was asked to stop, if it was.
  var stopReason: StopReason? { state.withLock { $0.reason } }

  /// Why the attempt was stopped, if the stop reached it: a stop asked for once the
  /// executor had let go of the attempt (it had ended by itself) is not counted.
  var deliveredStopReason: StopReason? {
    state.withLock { $0.delivered ? $0.reason : nil }
  }

  /// Asks the executor to stop the attempt; the first reason given is kept.
  func requestStop(_ reason: StopReason) {
    let handler = state.withLock { state -> (@Sendable () -> Void)? in
      guard state.reason == nil else { return nil }
      state.reason = reason
      state.delivered = state.handler != nil
      return state.handler
    }
    handler?()
  }

  /// For executors: what to do on a stop request; runs at once if one already came.
  func onStop(_ handler: (@Sendable () -> Void)?) {
    let runNow = state.withLock { state -> Bool in
      state.handler = handler
      if state.reason != nil, handler != nil { state.delivered = true }
      return state.reason != nil
    }
    if runNow { handler?() }
  }
}
