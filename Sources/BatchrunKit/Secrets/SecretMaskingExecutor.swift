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
    var stream = SecretMasker.Stream(masker)
    var buffer = [UInt8](repeating: 0, count: 1 << 20)
    var out: [UInt8] = []
    out.reserveCapacity(buffer.count + 4096)
    var written = 0
    var idle = Duration.zero
    let tick = Duration.milliseconds(50)
    let tickMilliseconds: Int32 = 50
    func flush() {
      written += out.count
      _ = out.withUnsafeBytes { FileBytes.writeAll(output, $0) }
      out.removeAll(keepingCapacity: true)
    }
    while true {
      var poller = pollfd(fd: input, events: Int16(POLLIN), revents: 0)
      let ready = poll(&poller, 1, tickMilliseconds)
      if ready < 0, errno == EINTR { continue }
      if ready == 0 {
        if ended.value.load(ordering: .acquiring) {
          idle += tick
          if idle >= lingering { break }
        }
        continue
      }
      idle = .zero
      let count = buffer.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
      if count < 0, errno == EINTR || errno == EAGAIN { continue }
      guard count > 0 else { break }
      stream.feed(buffer[0..<count]) { out.append(contentsOf: $0) }
      flush()
    }
    stream.finish { out.append(contentsOf: $0) }
    flush()
    return written
  }
}
