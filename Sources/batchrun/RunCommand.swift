import ArgumentParser
import BatchrunKit
import CBatchrunEntry
import Glibc

/// `batchrun [run]`: run all jobs of a manifest, or the named ones and what they need.
struct RunCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "run",
    abstract: "Run all jobs, or the named jobs and what they need."
  )

  @Argument(help: "The manifest.")
  var manifest: String

  @Argument(help: "Jobs to run, with what they need (default: all).")
  var targets: [String] = []

  @Option(
    name: [.customShort("j", allowingJoined: true), .long],
    help: "Run at most N jobs at once (default: the manifest's concurrency, else the CPU count).")
  var jobs: Int?

  @Flag(
    name: [.customShort("k"), .long], help: "After a failure, run everything that does not need a failed job."
  )
  var keepGoing = false

  @Flag(help: "After a failure, also stop the jobs that are running.")
  var failFast = false

  @Flag(name: [.customShort("n"), .long], help: "Print the plan and run nothing.")
  var dryRun = false

  @Option(help: "Also write the JSON report to this path.")
  var report: String?

  @Option(help: "Write a JUnit XML report to this path.")
  var junit: String?

  @Option(help: "Where runs are kept (default: .batchrun beside the manifest).")
  var stateDir: String?

  @Option(help: "auto, status, stream, grouped or quiet.")
  var output: OutputMode = .auto

  @Option(help: "Timeout for jobs that set none (e.g. 30s, 5m).")
  var timeout: DurationArgument?

  @Option(help: "How long a job has between SIGTERM and SIGKILL.")
  var killGrace: DurationArgument?

  @Option(help: "Where jobs run: local or slurm (default: the manifest's executor, else local).")
  var executor: ExecutorName?
  @Option(
    help: ArgumentHelp(
      "Memory running jobs may ask for at once (e.g. 16G; default: no limit).", valueName: "size"))
  var memory: String?

  @Option(
    help: ArgumentHelp(
      "GPU ids to give jobs, instead of the manifest's 'gpus' (e.g. 0,1,2,3).", valueName: "ids"))
  var gpus: String?

  @Flag(help: "Serve a jobserver to the jobs: a job running make or ninja shares the -j budget.")
  var jobserver = false

  @Flag(name: [.customShort("B"), .long], help: "Run every job, even those that are up to date.")
  var force = false

  @Option(
    help: ArgumentHelp(
      "Run only what did not succeed in a run (alone: the latest; --resume=RUN-ID: that one).",
      valueName: "run-id"))
  var resume: String?

  @Option(
    help: ArgumentHelp(
      "Run these jobs and everything after them; take the rest as done if they succeeded in the run --resume names (default: the latest).",
      valueName: "job"))
  var from: [String] = []

  @OptionGroup var options: ManifestOptions

  /// What counts as already done.
  var incremental: IncrementalChoice {
    let runID = resume == Self.latest ? nil : resume
    if !from.isEmpty { return .from(jobs: from, runID: runID) }
    if resume != nil { return .resume(runID: runID) }
    return force ? .force : .fingerprints
  }

  /// Workers under a jobserver whose `MAKEFLAGS` gives no `-jN`: the tokens decide how
  /// many of them run at once.
  static let jobserverWorkers = 64

  /// The value a bare `--resume` stands for (see ``Batchrun/arguments(_:)``).
  static let latest = "latest"

  func validate() throws {
    if let jobs, jobs < 1 {
      throw ValidationError("-j/--jobs must be at least 1, got \(jobs).")
    }
    if keepGoing, failFast {
      throw ValidationError("--keep-going and --fail-fast cannot be used together.")
    }
    if force, resume != nil || !from.isEmpty {
      throw ValidationError("--force runs everything; it cannot be used with --resume or --from.")
    }
    if let memory, ByteSize.bytes(memory) == nil {
      throw ValidationError("--memory takes a size such as 512M, 16G or 1T; got '\(memory)'.")
    }
    try timeout?.validate(as: "--timeout")
    try killGrace?.validate(as: "--kill-grace")
    // An unset variable (`--state-dir "$X"`) must not turn into `/` or the current directory.
    for (option, value) in [("--state-dir", stateDir), ("--report", report), ("--junit", junit)]
    where value == "" {
      throw ValidationError("\(option) needs a path, got an empty one.")
    }
  }

  /// `--gpus`, split at commas.
  var gpuIDs: [String]? {
    gpus.map { $0.split(separator: ",").map { String($0.filter { $0 != " " }) } }
  }

  var failurePolicy: FailurePolicy {
    keepGoing ? .keepGoing : failFast ? .failFast : .stopStarting
  }

  func run() async throws {
    // From here on a stop signal ends batchrun with 128+n while it only reads, and is
    // kept for the run once it makes the run's directory.
    let relay = InterruptRelay()
    Batchrun.signals.handle { relay.receive($0) }
    let store = stateDir.map(RunStore.init(stateDirectory:)) ?? RunStore(manifestPath: manifest)
    // The records of earlier runs are read while the manifest is.
    let cacheReader = dryRun ? nil : CacheReader(stateDirectory: store.stateDirectory)
    let loaded = try options.load(manifest)
    let prior: PriorDurations?
    do throws(SystemFailure) {
      prior = try PriorDurations.load(stateDirectory: store.stateDirectory, manifest: loaded)
    } catch {
      // Damaged durations cost only the ordering by them.
      Console.fail("\(error); jobs are ordered without their durations", .warning, color: options.color)
      prior = nil
    }
    let plan = try options.plan(loaded, targets: targets, weight: prior?.weight)
    do throws(IncrementalChoice.Problem) {
      try incremental.check(plan: plan, store: store)
    } catch {
      Console.fail("\(error)", color: options.color)
      throw ExitCode(ExitStatus.usage)
    }
    var concurrency = jobs ?? loaded.concurrency ?? ProcessorCount.online
    // Under make's jobserver, with no -j of its own: make's budget, drawn token by token.
    var makeJobserver: JobserverClient?
    let servesJobserver = jobserver || loaded.servesJobserver
    if !servesJobserver, jobs == nil, loaded.concurrency == nil, !dryRun,
      let named = JobserverClient.named(
        in: Environment.current, inherited: { batchrun_entry_inherited_descriptor($0) != 0 })
    {
      switch named {
      case .success(let client):
        makeJobserver = client
        concurrency = client.budget ?? Self.jobserverWorkers
      case .failure(let problem):
        Console.fail("\(problem); running with -j 1", .warning, color: options.color)
        concurrency = 1
      }
    }
    if dryRun {
      Console.out(
        PlanPrinter.dryRun(
          plan, concurrency: concurrency, memory: memory.flatMap(ByteSize.bytes), gpus: gpuIDs)
          + incremental.preview(plan: plan, store: store))
      return
    }
    let settings = RunSettings(
      concurrency: concurrency, failurePolicy: failurePolicy, defaultTimeout: timeout?.duration,
      killGrace: killGrace?.duration ?? .seconds(10), memory: memory.flatMap(ByteSize.bytes),
      gpus: gpuIDs)
    for warning in ResourceBudget.warnings(plan: plan, settings: settings) + RunSecrets(plan: plan).warnings {
      Console.fail(warning, .warning, color: options.color)
    }
    let executor = try await makeExecutor(executorChoice(for: loaded), settings: settings)
    let environment = Environment.current
    let console = ConsoleOutput()
    defer { console.flush() }
    relay.hold()
    let session: RunSession
    do {
      session = try RunSession(
        plan: plan,
        options: .init(
          settings: settings, stateDirectory: store.stateDirectory, reportCopy: report, junit: junit,
          // GitHub Actions names the job's summary file; an empty value means none.
          stepSummary: environment["GITHUB_STEP_SUMMARY"].flatMap { $0.isEmpty ? nil : $0 },
          incremental: incremental, jobserver: makeJobserver, servesJobserver: servesJobserver,
          console: output.style(environment: environment),
          color: options.color.enabled(for: STDOUT_FILENO, environment: environment),
          cacheReader: cacheReader),
        executor: executor, output: console)
    } catch {
      Console.fail("\(error)", color: options.color)
      throw ExitCode(ExitStatus.software)
    }
    // A signal that came while the run directory was made cancels every job before it
    // starts; the report says so.
    relay.attach(session)
    let result: RunReport
    do {
      result = try await session.run()
    } catch {
      Console.fail("\(error)", color: options.color)
      throw ExitCode(ExitStatus.software)
    }
    if result.exitCode != 0 { throw ExitCode(result.exitCode) }
  }
}
