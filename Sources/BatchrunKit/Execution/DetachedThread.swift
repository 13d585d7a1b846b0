import Glibc

/// A POSIX thread of its own for work that must never wait behind Swift's cooperative
/// pool: blocking in `sigwaitinfo` or in a `write` to a terminal nobody reads.
enum DetachedThread {
  /// Starts `body` on a new detached thread; `false` if no thread could be created.
  @discardableResult
  static func start(_ body: @escaping @Sendable () -> Void) -> Bool {
    let context = Unmanaged.passRetained(Box(body)).toOpaque()
    var thread = pthread_t()
    let created = pthread_create(
      &thread, nil,
      { context in
        let box = Unmanaged<Box>.fromOpaque(context!).takeRetainedValue()
        box.body()
        return nil
      }, context)
    guard created == 0 else {
      Unmanaged<Box>.fromOpaque(context).release()
      return false
    }
    pthread_detach(thread)
    return true
  }

  private final class Box {
    let body: @Sendable () -> Void
    init(_ body: @escaping @Sendable () -> Void) { self.body = body }
  }
}
