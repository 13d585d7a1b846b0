import CBatchrunShims
import Glibc
import Synchronization

/// Runs each attempt as a local process in a session and process group of its own.
///
/// The worker that runs an attempt starts the process itself (`posix_spawn`, see
/// ``ProcessSpawner``) and awaits its exit, which one ``Reaper`` thread collects for every
/// job. stdin is /dev/null; stdout and stderr go together straight into the attempt's log
/// file. When the main process exits, whatever it left in its group is terminated
/// (SIGTERM, the grace, SIGKILL) before the attempt is reported, so that its log is
/// complete; escaped descendants are terminated in the background, and ``drain()`` waits
/// for them.
public final class LocalProcessExecutor: JobExecutor {
  private let groups: ProcessGroups
  private let reaper: Reaper
  private let spawner = ProcessSpawner()
  /// `BATCHRUN_RUN_ID=<id>` of the run this executor serves, from its first launch: what
  /// the end of the run sweeps for, when it does not sweep every child.
  private let runMarker = Mutex<String?>(nil)
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
  ///     reaped here, and reap every child of this process on one thread. It changes the
  ///     whole process, so only a program that owns its process (the `batchrun` tool)
  ///     should ask for it. Without it, only jobs' main processes are reaped (through
  ///     pidfds), so a host program's own children are never touched.
  ///   - sweepGrace: at the end of the run, the time escaped processes get between
  ///     SIGTERM and SIGKILL.
  ///   - sweepsAllChildren: with `subreaper`, this process starts nothing but jobs (the
  ///     `batchrun` tool): at the end of the run, stop and reap every child left, even one
  ///     that cleared its environment. Off, only children carrying this run's id are
  ///     touched.
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
    groups = ProcessGroups(adoptsOrphans: subreaper)
    if subreaper { _ = batchrun_set_child_subreaper() }
    reaper = Reaper(mode: subreaper ? .allChildren : .jobsOnly)
  }

  public func execute(_ launch: JobLaunch, control: AttemptControl) async -> AttemptExit {
    let startedAt = WallClock.now
    func failed(_ message: String, log fd: Int32 = -1) -> AttemptExit {
      if fd >= 0 { FileBytes.writeAll(fd, "batchrun: cannot start job '\(launch.job.id)': \(message)\n") }
      return AttemptExit(
        termination: .failedToStart(message), startedAt: startedAt, finishedAt: WallClock.now,
        outputBytes: fd >= 0 ? Self.size(of: fd) : 0)
    }
    guard devNull >= 0 else { return failed("cannot open /dev/null") }
    let fd = open(launch.logPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    guard fd >= 0 else {
      return failed(SystemFailure("cannot open log", path: launch.logPath).description)
    }
    // The log's descriptor is closed here once, on every path, after its size is read.
    defer { close(fd) }
    let directory = launch.workingDirectory == inheritedDirectory ? nil : launch.workingDirectory
    guard
      let program = ProcessSpawner.resolve(
        launch.arguments[0], path: Self.path(in: launch.environmentEntries), in: launch.workingDirectory)
    else {
      return failed(StartFailure.describe(launch, error: ENOENT), log: fd)
    }
    let spawned = reaper.spawn {
      spawner.spawn(
        program: program, arguments: launch.arguments, environment: launch.environmentEntries,
        stdin: devNull, output: fd, directory: directory, descriptors: launch.descriptors)
    }
    guard spawned.error == 0 else {
      return failed(StartFailure.describe(launch, error: spawned.error), log: fd)
    }
    let pid = spawned.pid
    let generation = groups.insert(pid)
    let grace = launch.killGrace
    control.onStop { [groups] in groups.stop(pid, generation: generation, grace: grace) }
    let termination = await reaper.termination(of: pid)
    control.onStop(nil)
    let finishedAt = WallClock.now
    if subreaper, !sweepsAllChildren {
      runMarker.withLock { $0 = $0 ?? "BATCHRUN_RUN_ID=" + launch.runID }
    }
    // The outcome is decided; what the job left in its group may still write to its log.
    await groups.cleanUpLeftovers(pid, grace: grace, markers: Self.markers(of: launch))
    return AttemptExit(
      termination: termination, startedAt: startedAt, finishedAt: finishedAt, outputBytes: Self.size(of: fd),
      nativeID: String(pid), host: HostName.current)
  }

  /// The job's `PATH`, from its environment entries.
  static func path(in entries: [[UInt8]]) -> String? {
    entries.last { $0.starts(with: "PATH=".utf8) }.map {
      String(decoding: $0.dropFirst(5).dropLast(), as: UTF8.self)
    }
  }

  deinit {
    if devNull >= 0 { close(devNull) }
  }

  public func killAll() {
    groups.killAll()
  }

  public func drain() async {
    await groups.waitUntilEmpty()
    // Escaped descendants are this process's children only as a subreaper.
    guard subreaper else { return }
    await groups.sweep(grace: sweepGrace, carrying: sweepsAllChildren ? nil : runMarker.withLock { $0 })
    if sweepsAllChildren { ProcessGroups.reapAnyChildren() }
  }

  /// The environment entries that identify an attempt's processes (LaunchFactory sets
  /// them), as `NAME=value`.
  static func markers(of launch: JobLaunch) -> [String] {
    [
      "BATCHRUN_RUN_ID=" + launch.runID, "BATCHRUN_JOB_ID=" + launch.job.id,
      "BATCHRUN_ATTEMPT=" + String(launch.attempt),
    ]
  }

  static func size(of fd: Int32) -> Int {
    var info = stat()
    return fstat(fd, &info) == 0 ? Int(info.st_size) : 0
  }

}
