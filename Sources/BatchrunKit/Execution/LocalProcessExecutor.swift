import CBatchrunShims
import Glibc
import Subprocess
import Synchronization
import SystemPackage

/// Runs each attempt as a local process in a session and process group of its own.
///
/// stdin is /dev/null; stdout and stderr go together straight into the attempt's log
/// file. When the main process exits, whatever it left in its group is terminated
/// (SIGTERM, the grace, SIGKILL) in the background, and ``drain()`` waits for that.
public final class LocalProcessExecutor: JobExecutor {
  private let groups: ProcessGroups
  /// `BATCHRUN_RUN_ID=<id>` of the run this executor serves, once known: what the end
  /// of the run sweeps for, when it does not sweep every child.
  private let runMarker = Mutex<String?>(nil)
  /// As a subreaper: reaps adopted orphans that exit while the run goes on.
  private let reaper: Task<Void, Never>?
  private let subreaper: Bool
  private let sweepGrace: Duration
  private let sweepsAllChildren: Bool
  /// Every job's stdin, opened once (read-only, close-on-exec).
  private let devNull = open("/dev/null", O_RDONLY | O_CLOEXEC)
  /// This process's working directory when it never changes during a run: jobs that
  /// run there start without a `chdir`.
  private let inheritedDirectory: String?

  /// - Parameters:
  ///   - subreaper: make this process a child subreaper (`PR_SET_CHILD_SUBREAPER`), so that
  ///     descendants of jobs that escape their group are adopted, found, stopped and
  ///     reaped here. It changes the whole process, so only a program that owns its
  ///     process (the `batchrun` tool) should ask for it.
  ///   - sweepGrace: at the end of the run, the time escaped processes get between
  ///     SIGTERM and SIGKILL.
  ///   - sweepsAllChildren: with `subreaper`, this process starts nothing but jobs (the
  ///     `batchrun` tool): at the end of the run, stop and reap every child left, even one
  ///     that cleared its environment. Off, only children carrying this run's id are
  ///     touched. Without `subreaper`, no child but a job's main process is ever touched,
  ///     so a host program's own children are safe.
  ///   - fixedWorkingDirectory: this process does not change its working directory while
  ///     jobs start (the `batchrun` tool), so a job whose directory is this process's own
  ///     is started without changing directory.
  public init(
    subreaper: Bool = false, sweepGrace: Duration = .seconds(10), sweepsAllChildren: Bool = false,
    fixedWorkingDirectory: Bool = false
  ) {
    self.inheritedDirectory = fixedWorkingDirectory ? Environment.currentDirectory : nil
    self.sweepGrace = sweepGrace
    self.sweepsAllChildren = sweepsAllChildren
    self.subreaper = subreaper
    let groups = ProcessGroups(adoptsOrphans: subreaper)
    self.groups = groups
    guard subreaper else {
      reaper = nil
      return
    }
    _ = batchrun_set_child_subreaper()
    // Twice a second, reaps adopted orphans that have exited (no zombie build-up in long runs).
    reaper = Task {
      while (try? await Task.sleep(for: .milliseconds(500))) != nil {
        groups.reapAdoptedZombies()
      }
    }
  }

  public func execute(_ launch: JobLaunch, control: AttemptControl) async -> AttemptExit {
    let startedAt = WallClock.now
    guard devNull >= 0 else {
      return AttemptExit(
        termination: .failedToStart("cannot open /dev/null"), startedAt: startedAt, finishedAt: WallClock.now,
        outputBytes: 0)
    }
    let fd = open(launch.logPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    guard fd >= 0 else {
      return AttemptExit(
        termination: .failedToStart("cannot open log \(launch.logPath): \(String(cString: strerror(errno)))"),
        startedAt: startedAt, finishedAt: WallClock.now, outputBytes: 0)
    }
    // The log's descriptor stays ours (swift-subprocess is told not to close it): it is
    // closed here once, on every path, after its size is read.
    defer { close(fd) }
    var options = PlatformOptions()
    options.createSession = true
    options.teardownSequence = [
      .send(signal: .terminate, toProcessGroup: true, allowedDurationToNextStep: launch.killGrace)
    ]
    let program = launch.arguments[0]
    let executable: Executable = program.contains("/") ? .path(FilePath(program)) : .name(program)
    let log = FileDescriptor(rawValue: fd)
    let groups = self.groups
    let grace = launch.killGrace
    let termination: AttemptExit.Termination
    var pgid: pid_t = 0
    do {
      let result = try await Subprocess.run(
        executable, arguments: Arguments(Array(launch.arguments.dropFirst())),
        environment: .custom(launch.environmentEntries),
        workingDirectory: launch.workingDirectory == inheritedDirectory
          ? nil : FilePath(launch.workingDirectory),
        platformOptions: options,
        input: .fileDescriptor(FileDescriptor(rawValue: devNull), closeAfterSpawningProcess: false),
        output: .fileDescriptor(log, closeAfterSpawningProcess: false),
        error: .fileDescriptor(log, closeAfterSpawningProcess: false)
      ) { execution -> pid_t in
        let pid = execution.processIdentifier.value
        let generation = groups.insert(pid)
        control.onStop { groups.stop(pid, generation: generation, grace: grace) }
        return pid
      }
      pgid = result.closureResult
      switch result.terminationStatus {
      case .exited(let code): termination = .exited(code)
      case .signaled(let signal): termination = .signaled(signal)
      }
    } catch {
      let message = Self.describe(error, launch: launch)
      FileBytes.writeAll(fd, "batchrun: cannot start job '\(launch.job.id)': \(message)\n")
      return AttemptExit(
        termination: .failedToStart(message), startedAt: startedAt, finishedAt: WallClock.now,
        outputBytes: Self.size(of: fd))
    }
    control.onStop(nil)
    let finishedAt = WallClock.now
    if subreaper, !sweepsAllChildren {
      runMarker.withLock {
        $0 = $0 ?? Self.markers(in: launch.environmentEntries).first { $0.hasPrefix("BATCHRUN_RUN_ID=") }
      }
    }
    // The outcome is decided; what the job left in its group may still write to its log.
    await groups.cleanUpLeftovers(pgid, grace: grace, markers: Self.markers(in: launch.environmentEntries))
    return AttemptExit(
      termination: termination, startedAt: startedAt, finishedAt: finishedAt, outputBytes: Self.size(of: fd))
  }

  deinit {
    if devNull >= 0 { close(devNull) }
  }

  public func killAll() {
    groups.killAll()
  }

  public func drain() async {
    await groups.waitUntilEmpty()
    reaper?.cancel()
    // Escaped descendants are this process's children only as a subreaper.
    guard subreaper else { return }
    await groups.sweep(grace: sweepGrace, carrying: sweepsAllChildren ? nil : runMarker.withLock { $0 })
    if sweepsAllChildren { ProcessGroups.reapAnyChildren() }
  }

  /// The environment entries that identify an attempt's processes, as `NAME=value`.
  static func markers(in entries: [[UInt8]]) -> [String] {
    entries.lazy.filter { $0.starts(with: "BATCHRUN_".utf8) }
      .map { String(decoding: $0.dropLast(), as: UTF8.self) }
      .filter {
        $0.hasPrefix("BATCHRUN_RUN_ID=") || $0.hasPrefix("BATCHRUN_JOB_ID=")
          || $0.hasPrefix("BATCHRUN_ATTEMPT=")
      }
  }

  static func size(of fd: Int32) -> Int {
    var info = stat()
    return fstat(fd, &info) == 0 ? Int(info.st_size) : 0
  }

  static func describe(_ error: any Error, launch: JobLaunch) -> String {
    StartFailure.describe(launch, error: (error as? SubprocessError)?.underlyingError?.rawValue)
  }
}
