import Dispatch
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// What /proc says about one process: enough to tell whether a job's descendant escaped
/// its session and cleared its environment, and to find a batchrun by its argv.
struct ProcessSnapshot {
  let pid: Int32
  /// The executable's name (`/proc/<pid>/comm`), e.g. `sleep`.
  let command: String
  /// The state letter of `/proc/<pid>/stat` (`S`, `R`, `Z`, ...).
  let state: Character
  let parent: Int32
  let session: Int32
  /// The argv, joined by spaces.
  let arguments: String

  init?(pid: Int32) {
    guard let stat = Self.read("/proc/\(pid)/stat"), let close = stat.lastIndex(of: ")") else { return nil }
    // After "pid (comm)": state ppid pgrp session ...
    let fields = stat[stat.index(after: close)...].split(separator: " ")
    guard fields.count > 3, let state = fields[0].first, let parent = Int32(fields[1]),
      let session = Int32(fields[3])
    else { return nil }
    self.pid = pid
    self.state = state
    self.parent = parent
    self.session = session
    command = (Self.read("/proc/\(pid)/comm") ?? "").trimmingCharacters(in: .newlines)
    arguments = (Self.read("/proc/\(pid)/cmdline") ?? "").replacingOccurrences(of: "\0", with: " ")
  }

  /// The environment the process started with (`/proc/<pid>/environ`), `NAME=value` each.
  var environment: [String] {
    (Self.read("/proc/\(pid)/environ") ?? "").split(separator: "\0").map(String.init)
  }

  /// Every process in /proc right now.
  static func all() -> [ProcessSnapshot] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    return names.compactMap { Int32($0) }.compactMap { ProcessSnapshot(pid: $0) }
  }

  /// Live `sleep` processes whose argv holds `marker` (the marker's shells excluded).
  static func sleepers(carrying marker: String) -> [ProcessSnapshot] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    // Cheap first: only a `sleep` is looked at further.
    return names.compactMap { Int32($0) }
      .filter { read("/proc/\($0)/comm") == "sleep\n" }
      .compactMap { ProcessSnapshot(pid: $0) }
      .filter { $0.state != "Z" && $0.arguments.contains(marker) }
  }

  private static func read(_ path: String) -> String? {
    guard let data = FileManager.default.contents(atPath: path) else { return nil }
    return String(decoding: data, as: UTF8.self)
  }
}

/// A `batchrun` started in the background, so that a test can act on it while it runs.
struct BackgroundBatchrun {
  let task: Task<BatchrunProcess.Result, any Error>
  /// An argument no other process has, by which the process is found in /proc.
  let unique: String

  /// Starts `batchrun arguments` in `directory`; `unique` must be an argument no other
  /// process has (an absolute manifest path inside a fresh temporary directory).
  init(_ arguments: [String], in directory: URL, unique: String, timeout: Duration = .seconds(60)) {
    self.unique = unique
    task = Task {
      try await BatchrunProcess.batchrun(arguments, in: directory, timeout: timeout)
    }
  }

  /// Its process id, or `nil` if it is not seen running within `limit`.
  func pid(within limit: Duration = .seconds(60)) async throws -> Int32? {
    let binary = try BatchrunProcess.batchrunURL.path
    let unique = unique
    return await pollUntil(within: limit) {
      ProcessTable.processes(containing: unique).first {
        ProcessSnapshot(pid: $0)?.arguments.hasPrefix(binary + " ") == true
      }
    }
  }
}

/// Polls `probe` every 100 ms until it returns a value or `limit` passes.
///
/// The probe runs on a thread of its own, neither on the concurrency pool nor on
/// Dispatch's global queue: scanning /proc blocks, and both have only a thread or two per
/// core, which other tests running in parallel need (a starved probe once saw nothing for
/// 20 s on a loaded machine).
func pollUntil<T: Sendable>(
  within limit: Duration, _ probe: @escaping @Sendable () -> T?
) async -> T? {
  let deadline = ContinuousClock.now + limit
  while true {
    let value = await onOwnThread(probe)
    if let value { return value }
    if ContinuousClock.now >= deadline { return nil }
    try? await Task.sleep(for: .milliseconds(100))
  }
}

/// A small tmpfs mounted on a directory, to run out of space on purpose (needs root, or
/// CAP_SYS_ADMIN).
struct Tmpfs {
  let path: String

  struct Failure: Error, CustomStringConvertible {
    var description: String
  }

  /// Mounts a tmpfs of `size` (as mount(8) takes it, e.g. `256k`) on the existing directory `path`.
  init(at path: String, size: String) throws {
    guard mount("tmpfs", path, "tmpfs", 0, "size=\(size),mode=0755") == 0 else {
      throw Failure(description: "cannot mount a tmpfs on \(path): \(String(cString: strerror(errno)))")
    }
    self.path = path
  }

  func unmount() {
    if umount2(path, 0) != 0 {
      _ = umount2(path, Int32(MNT_DETACH))
    }
  }

  /// Writes `name` until the file system is full; returns the bytes written.
  @discardableResult
  func fill(_ name: String = "filler") throws -> Int {
    let fd = open(path + "/" + name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    guard fd >= 0 else {
      throw Failure(description: "cannot create \(name): \(String(cString: strerror(errno)))")
    }
    defer { close(fd) }
    let chunk = [UInt8](repeating: 0x78, count: 4096)
    var total = 0
    while true {
      let count = chunk.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
      if count > 0 {
        total += count
        continue
      }
      if count < 0, errno == EINTR { continue }
      if count < 0, errno != ENOSPC {
        throw Failure(description: "filling \(path): \(String(cString: strerror(errno)))")
      }
      return total
    }
  }

  /// Bytes still free for an unprivileged writer.
  var available: UInt64 {
    var info = statvfs()
    guard statvfs(path, &info) == 0 else { return 0 }
    return UInt64(info.f_bavail) * UInt64(info.f_frsize)
  }

  /// Whether this process may mount a tmpfs: tries once on a scratch directory.
  static let canMount: Bool = {
    guard let scratch = try? TemporaryDirectory(prefix: "batchrun-tmpfs-probe") else { return false }
    guard let tmpfs = try? Tmpfs(at: scratch.path, size: "64k") else { return false }
    tmpfs.unmount()
    return true
  }()
}

/// At most `limit` holders at once; the others wait without blocking a thread.
///
/// For parameterised tests whose cases each start several processes: run all at once on
/// a small machine, they starve the timing of every other test running in parallel.
actor AsyncSemaphore {
  private var available: Int
  private var waiters: [CheckedContinuation<Void, Never>] = []

  init(limit: Int) {
    available = limit
  }

  /// Runs `body` while holding one of the places.
  func withPlace<T: Sendable>(_ body: @Sendable () async throws -> T) async rethrows -> T {
    await acquire()
    defer { release() }
    return try await body()
  }

  private func acquire() async {
    if available > 0 {
      available -= 1
      return
    }
    await withCheckedContinuation { waiters.append($0) }
  }

  private func release() {
    if waiters.isEmpty {
      available += 1
    } else {
      waiters.removeFirst().resume()
    }
  }
}

/// Runs blocking work (reading a FIFO or a pipe) on a thread of its own, so that it never
/// holds one of the concurrency pool's few threads, which the process helpers need to
/// notice exits on time.
func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
  await withCheckedContinuation { continuation in
    Thread { continuation.resume(returning: body()) }.start()
  }
}
