import Synchronization

/// The scheduler's handle on one running attempt: lets it ask the executor to stop it.
///
/// A stop asked for before the executor has started the process takes effect as soon
/// as it has.
public final class AttemptControl: Sendable {
  /// Why an attempt was stopped.
  public enum StopReason: Sendable, Equatable {
    case timedOut
    case cancelled(String)
  }

  private struct State {
    var reason: StopReason?
    var handler: (@Sendable () -> Void)?
  }

  private let state = Mutex(State())

  public init() {}

  /// Why the attempt was asked to stop, if it was.
  public var stopReason: StopReason? { state.withLock { $0.reason } }

  /// Asks the executor to stop the attempt; the first reason given is kept.
  public func requestStop(_ reason: StopReason) {
    let handler = state.withLock { state -> (@Sendable () -> Void)? in
      guard state.reason == nil else { return nil }
      state.reason = reason
      return state.handler
    }
    handler?()
  }

  /// For executors: what to do on a stop request; runs at once if one already came.
  public func onStop(_ handler: (@Sendable () -> Void)?) {
    let runNow = state.withLock { state -> Bool in
      state.handler = handler
      return state.reason != nil
    }
    if runNow { handler?() }
  }
}
