import BatchrunKit
import Glibc
import Synchronization

/// Where stop signals go while `run` gets going: while it only reads (the manifest, the
/// last report), a signal ends batchrun at once with 128+n, as nothing has started; once
/// it starts making the run's directory, signals are kept and handed to the run, which
/// cancels its jobs and writes a report that says so.
final class InterruptRelay: Sendable {
  private struct State {
    var holding = false
    var session: RunSession?
    var received: [Int32] = []
  }

  private let state = Mutex(State())

  /// Takes a signal: to the run if there is one, kept for it once ``hold()`` was called,
  /// else the end of batchrun.
  func receive(_ signal: Int32) {
    let (session, exits) = state.withLock { state -> (RunSession?, Bool) in
      if state.session == nil, state.holding { state.received.append(signal) }
      return (state.session, !state.holding)
    }
    if exits { _exit(ExitStatus.signal(signal)) }
    session?.interrupt(signal: signal)
  }

  /// From now on signals are kept for the run: it is about to make its directory.
  func hold() {
    state.withLock { $0.holding = true }
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
