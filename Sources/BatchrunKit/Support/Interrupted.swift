import Glibc

/// Calls `call` (a system call that returns a negative value and sets `errno` on failure)
/// again for as long as a signal interrupts it (`EINTR`); its last result. The one place
/// batchrun retries interrupted calls.
@inline(__always)
func retryingOnInterrupt<Result: BinaryInteger>(_ call: () -> Result) -> Result {
  while true {
    let result = call()
    if result < 0, errno == EINTR { continue }
    return result
  }
}
