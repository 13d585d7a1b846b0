import Synchronization

/// Calls a function every `interval` on a task of its own, from the first ``start(_:)``
/// until ``stop()``: how the status line is redrawn and followed logs are read.
final class ConsoleTicker: Sendable {
  private let interval: Duration
  private let task = Mutex<Task<Void, Never>?>(nil)

  init(every interval: Duration) {
    self.interval = interval
  }

  deinit {
    task.withLock { $0 }?.cancel()
  }

  /// Starts calling `tick`, unless it is already being called.
  func start(_ tick: @escaping @Sendable () -> Void) {
    task.withLock { task in
      guard task == nil else { return }
      task = Task { [interval] in
        while (try? await Task.sleep(for: interval)) != nil {
          tick()
        }
      }
    }
  }

  /// Stops the calls; a call under way finishes.
  func stop() {
    let running = task.withLock { task -> Task<Void, Never>? in
      defer { task = nil }
      return task
    }
    running?.cancel()
  }
}
