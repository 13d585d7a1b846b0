import Glibc
import Synchronization

/// GNU make's jobserver, as a client (docs/cli.md, "In a Makefile"): batchrun runs one job
/// on the implicit slot make gave it, and takes a token from make's pipe for each further
/// job running at once, writing it back when that job ends.
///
/// `MAKEFLAGS` names the jobserver as `--jobserver-auth=fifo:PATH` (make 4.4) or
/// `--jobserver-auth=R,W` (make 4.2 and 4.3; also the older `--jobserver-fds=R,W`); the
/// last one wins, as in make. Tokens are read without blocking, through a file
/// description of batchrun's own (`/proc/self/fd/R` reopened), so that make's own
/// descriptor keeps its flags.
public final class JobserverClient: Sendable {
  /// Why a jobserver named in `MAKEFLAGS` cannot be used.
  public struct Problem: Error, Sendable, CustomStringConvertible {
    public var description: String
  }

  /// The jobserver `MAKEFLAGS` names: `nil` when it names none, else the client or why
  /// there is none. `-jN` in `MAKEFLAGS`, when there, is make's budget: ``budget``.
  ///
  /// - Parameter inherited: whether a descriptor was open when the process started (make
  ///   closes the jobserver's in a recipe not marked `+`, and the process's own may have
  ///   taken the numbers since); by default, whether it is open now.
  public static func named(
    in environment: [String: String], inherited: (Int32) -> Bool = { fcntl($0, F_GETFD) >= 0 }
  ) -> Result<JobserverClient, Problem>? {
    guard let flags = environment["MAKEFLAGS"] else { return nil }
    var auth: String?
    var budget: Int?
    for word in flags.split(separator: " ") {
      if word.hasPrefix("--jobserver-auth=") { auth = String(word.dropFirst("--jobserver-auth=".count)) }
      if word.hasPrefix("--jobserver-fds=") { auth = String(word.dropFirst("--jobserver-fds=".count)) }
      if word.hasPrefix("-j"), let n = Int(word.dropFirst(2)), n > 0 { budget = n }
    }
    guard let auth else { return nil }
    if auth.hasPrefix("fifo:") {
      let path = String(auth.dropFirst(5))
      let fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC)
      guard fd >= 0 else {
        return .failure(
          Problem(description: SystemFailure("cannot open the jobserver fifo", path: path).description))
      }
      return .success(JobserverClient(read: fd, write: fd, owned: [fd], budget: budget))
    }
    let fds = auth.split(separator: ",").compactMap { Int32($0) }
    guard fds.count == 2, fds.allSatisfy({ $0 >= 0 }) else {
      return .failure(Problem(description: "MAKEFLAGS names no usable jobserver ('\(auth)')"))
    }
    guard inherited(fds[0]), inherited(fds[1]), isPipe(fds[0]), isPipe(fds[1]) else {
      return .failure(
        Problem(
          description:
            "the jobserver's descriptors \(fds[0]),\(fds[1]) are not open: mark the recipe with '+' or call batchrun through $(MAKE)"
        ))
    }
    let reader = open("/proc/self/fd/\(fds[0])", O_RDONLY | O_NONBLOCK | O_CLOEXEC)
    guard reader >= 0 else {
      return .failure(
        Problem(description: SystemFailure("cannot reopen the jobserver's pipe", path: nil).description))
    }
    return .success(JobserverClient(read: reader, write: fds[1], owned: [reader], budget: budget))
  }

  private static func isPipe(_ fd: Int32) -> Bool {
    var info = stat()
    return fstat(fd, &info) == 0 && (info.st_mode & S_IFMT) == S_IFIFO
  }

  private let readFD: Int32
  private let writeFD: Int32
  private let owned: [Int32]
  /// make's `-jN`, if `MAKEFLAGS` says it.
  public let budget: Int?
  /// Wakes the thread that waits for tokens when someone wants one; see ``whenAvailable(_:)``.
  private let wanted: Mutex<(@Sendable () -> Void)?> = Mutex(nil)
  private nonisolated(unsafe) let want: UnsafeMutablePointer<sem_t>
  private let started = Atomic(false)

  init(read: Int32, write: Int32, owned: [Int32], budget: Int?) {
    readFD = read
    writeFD = write
    self.owned = owned
    self.budget = budget
    want = .allocate(capacity: 1)
    sem_init(want, 0, 0)
  }

  /// A token, if one is free now.
  func tryAcquire() -> UInt8? {
    var byte: UInt8 = 0
    let count = retryingOnInterrupt { read(readFD, &byte, 1) }
    return count == 1 ? byte : nil
  }

  /// Gives `token` back.
  func release(_ token: UInt8) {
    var byte = token
    _ = retryingOnInterrupt { write(writeFD, &byte, 1) }
  }

  /// Calls `action` once, when the pipe has a token to read (another process may take it
  /// first: the caller tries again).
  func whenAvailable(_ action: @escaping @Sendable () -> Void) {
    wanted.withLock { $0 = action }
    if !started.exchange(true, ordering: .acquiringAndReleasing) {
      let fd = readFD
      nonisolated(unsafe) let semaphore = want
      DetachedThread.start { [weak self] in
        while true {
          _ = retryingOnInterrupt { sem_wait(semaphore) }
          guard let self else { return }
          var ready = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
          _ = retryingOnInterrupt { poll(&ready, 1, -1) }
          self.wanted.withLock { action in
            defer { action = nil }
            return action
          }?()
        }
      }
    }
    sem_post(want)
  }

  deinit {
    // The waiting thread wakes, finds no client, and ends; the semaphore stays with it.
    sem_post(want)
    for fd in owned { close(fd) }
  }
}
