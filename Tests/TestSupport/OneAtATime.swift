import Synchronization

/// Lets one caller at a time through, in order of arrival, without blocking a thread.
///
/// The schema checks start a Python interpreter each; run side by side from every test
/// at once, they take both cores of a small machine and starve the tests that time
/// things. One at a time, they leave a core free.
public final class OneAtATime: Sendable {
  private struct State {
    var busy = false
    var waiting: [CheckedContinuation<Void, Never>] = []
  }

  private let state = Mutex(State())

  public init() {}

  /// Runs `body` once no other caller is inside.
  public func run<T: Sendable>(_ body: @Sendable () async throws -> T) async rethrows -> T {
    await withCheckedContinuation { continuation in
      let enter = state.withLock { state -> Bool in
        if state.busy {
          state.waiting.append(continuation)
          return false
        }
        state.busy = true
        return true
      }
      if enter { continuation.resume() }
    }
    defer {
      let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
        guard !state.waiting.isEmpty else {
          state.busy = false
          return nil
        }
        return state.waiting.removeFirst()
      }
      next?.resume()
    }
    return try await body()
  }
}
