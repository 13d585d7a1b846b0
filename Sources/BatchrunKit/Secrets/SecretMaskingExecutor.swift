import CBatchrunShims
import Glibc
import Synchronization

/// Runs attempts through another executor, and masks secrets in the logs of the jobs
/// whose environment holds one (docs/manifest.md, "secrets").
///
/// Such a job's output goes into a pipe instead of its log: the other executor opens
/// the pipe's write end by its `/proc/self/fd` path, as it would open a log file, and a
/// thread of batchrun's reads the other end, masks what it reads (a value split between
/// two reads included) and writes the log. Other jobs keep writing straight to their
/// logs.
final class SecretMaskingExecutor: JobExecutor {
  private let base: any JobExecutor
  private let secrets: RunSecrets
  /// How long the pipe is read after the attempt has ended, while something the job left
  /// behind still holds it open and writes.
  private let lingering: Duration

  init(_ base: any JobExecutor, secrets: RunSecrets, lingering: Duration = .milliseconds(500)) {
    self.base = base
    self.secrets = secrets
    self.lingering = lingering
  }

  func execute(_ launch: JobLaunch, control: AttemptControl) async -> AttemptExit {
    guard secrets.holds(launch) else { return await base.execute(launch, control: control) }
    let startedAt = WallClock.now
    var ends: [Int32] = [-1, -1]
    let log = open(launch.logPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    guard log >= 0, batchrun_cloexec_pipe(&ends, 1 << 20) == 0 else {
      let reason = "cannot open log \(launch.logPath) through a pipe: \(SystemFailure.text(of: errno))"
      if log >= 0 { close(log) }
      return AttemptExit(
        termination: .failedToStart(reason), startedAt: startedAt, finishedAt: WallClock.now, outputBytes: 0)
    }
    let ended = Flag()
    let (readEnd, writeEnd) = (ends[0], ends[1])
    let masker = secrets.masker
    let lingering = lingering
    async let written: Int = withCheckedContinuation { continuation in
      let started = DetachedThread.start {
        continuation.resume(
          returning: Self.pump(from: readEnd, to: log, masker: masker, ended: ended, lingering: lingering))
      }
      if !started {
        continuation.resume(
          returning: Self.pump(from: readEnd, to: log, masker: masker, ended: ended, lingering: .zero))
      }
    }
    var piped = launch
    piped.logPath = "/proc/self/fd/\(writeEnd)"
    var exit = await base.execute(piped, control: control)
    close(writeEnd)
    ended.value.store(true, ordering: .releasing)
    exit.outputBytes = await written
    close(readEnd)
    close(log)
    return exit
  }

  func killAll() { base.killAll() }

  func drain() async { await base.drain() }

  /// A flag set once the attempt has ended.
  final class Flag: Sendable {
    let value = Atomic<Bool>(false)
  }

  /// Reads `input` to its end, masked into `output`; returns the bytes written. Once
  /// `ended`, it stops as well after `lingering` with nothing to read.
  static func pump(
    from input: Int32, to output: Int32, masker: SecretMasker, ended: Flag, lingering: Duration
  )
    -> Int
  {
    // The end of the last read that may begin a value stays at the buffer's start, and
    // the next read lands after it: no byte is copied but into `out`.
    let capacity = (1 << 20) + masker.longest
    var buffer = [UInt8](repeating: 0, count: capacity)
    var kept = 0
    var out: [UInt8] = []
    out.reserveCapacity(capacity + 4096)
    var written = 0
    var idle = Duration.zero
    let tick = Duration.milliseconds(50)
    func flush() {
      written += out.count
      _ = out.withUnsafeBytes { FileBytes.writeAll(output, $0) }
      out.removeAll(keepingCapacity: true)
    }
    while true {
      let count = buffer.withUnsafeMutableBytes { read(input, $0.baseAddress! + kept, capacity - kept) }
      if count < 0, errno == EINTR { continue }
      if count < 0, errno == EAGAIN {
        // The pipe is empty: the log gets what was read, then the reader waits.
        if !out.isEmpty { flush() }
        var poller = pollfd(fd: input, events: Int16(POLLIN), revents: 0)
        if poll(&poller, 1, 50) == 0, ended.value.load(ordering: .acquiring) {
          idle += tick
          if idle >= lingering { break }
        }
        continue
      }
      guard count > 0 else { break }
      idle = .zero
      let total = kept + count
      kept = buffer.withUnsafeMutableBytes { bytes in
        let left = masker.scan(UnsafeRawBufferPointer(rebasing: bytes[0..<total]), final: false, into: &out)
        if left > 0 {
          bytes.baseAddress!.copyMemory(from: bytes.baseAddress! + (total - left), byteCount: left)
        }
        return left
      }
      if out.count >= 1 << 20 { flush() }
      // A short read from a busy writer: let the pipe fill for a moment, so that a
      // gigabyte takes thousands of reads, not hundreds of thousands (the log gets it at
      // most a millisecond later).
      if count < 1 << 18 { usleep(1000) }
    }
    buffer.withUnsafeBytes {
      _ = masker.scan(UnsafeRawBufferPointer(rebasing: $0[0..<kept]), final: true, into: &out)
    }
    flush()
    return written
  }
}
