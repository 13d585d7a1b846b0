/// How retries grow and which failures they cover: `retry-backoff`, `retry-max-delay` and
/// `retry-on` in docs/manifest.md.
struct RetryPolicy: Sendable, Hashable {
  /// What multiplies the delay after each retry; 1 keeps it constant.
  var backoff: Double
  /// The longest delay, whatever the backoff.
  var maxDelay: Duration?
  /// The exit codes that are retried; `nil` for any failure.
  var exitCodes: Set<Int>?
  /// Whether a timeout is retried (always, when `exitCodes` is `nil`).
  var timeouts: Bool

  init(
    backoff: Double = 1, maxDelay: Duration? = nil, exitCodes: Set<Int>? = nil, timeouts: Bool = true
  ) {
    self.backoff = backoff
    self.maxDelay = maxDelay
    self.exitCodes = exitCodes
    self.timeouts = timeouts
  }

  /// Whether an attempt that ended with `status` and `exitCode` may be retried.
  func retries(status: JobResult.Status, exitCode: Int?) -> Bool {
    switch status {
    case .timedOut: return exitCodes == nil || timeouts
    case .failed:
      guard let exitCodes else { return true }
      return exitCode.map(exitCodes.contains) ?? false
    default: return false
    }
  }
}
