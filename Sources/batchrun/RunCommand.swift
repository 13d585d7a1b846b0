import ArgumentParser
import BatchrunKit
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

  @Option(
    help: ArgumentHelp(
      "Memory running jobs may ask for at once (e.g. 16G; default: no limit).", valueName: "size"))
  var memory: String?

  @Option(
    help: ArgumentHelp(
      "GPU ids to give jobs, instead of the manifest's 'gpus' (e.g. 0,1,2,3).", valueName: "ids"))
  var gpus: String?

  @OptionGroup var options: ManifestOptions

  func validate() throws {
    if let jobs, jobs < 1 {
      throw ValidationError("-j/--jobs must be at least 1, got \(jobs).")
    }
    if keepGoing, failFast {
      throw ValidationError("--keep-going and --fail-fast cannot be used together.")
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
    let loaded = try options.load(manifest)
    let store = stateDir.map(RunStore.init(stateDirectory:)) ?? RunStore(manifest: loaded)
    let prior: PriorDurations?
    do throws(ReportLoader.Failure) {
      prior = try PriorDurations.load(stateDirectory: store.stateDirectory)
    } catch {
      // A damaged previous report costs only the ordering by its durations.
      Console.error(
        "batchrun: warning: ignoring the previous run's report \(error.path): \(error.reason);"
          + " jobs are ordered without its durations\n")
      prior = nil
    }
    let plan = try options.plan(loaded, targets: targets, weight: prior?.weight)
    let concurrency = jobs ?? loaded.concurrency ?? ProcessorCount.online
    if dryRun {
      Console.out(
        PlanPrinter.dryRun(
          plan, concurrency: concurrency, memory: memory.flatMap(ByteSize.bytes), gpus: gpuIDs))
      return
    }
    let settings = RunSettings(
      concurrency: concurrency, failurePolicy: failurePolicy, defaultTimeout: timeout?.duration,
      killGrace: killGrace?.duration ?? .seconds(10), memory: memory.flatMap(ByteSize.bytes),
      gpus: gpuIDs)
    for warning in ResourceBudget.warnings(plan: plan, settings: settings) + RunSecrets(plan: plan).warnings {
      Console.error("batchrun: warning: \(warning)\n")
    }
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
          console: output.style(environment: environment),
          color: options.color.enabled(for: STDOUT_FILENO, environment: environment)),
        // The tool starts nothing but jobs, so every child left at the end is a job's;
        // and it never changes directory.
        executor: LocalProcessExecutor(
          subreaper: true, sweepGrace: settings.killGrace, sweepsAllChildren: true,
          fixedWorkingDirectory: true),
        output: console)
    } catch {
      Console.error("batchrun: error: \(error)\n")
      throw ExitCode(RunReport.softwareFailure)
    }
    // A signal that came while the run directory was made cancels every job before it
    // starts; the report says so.
    relay.attach(session)
    let result: RunReport
    do {
      result = try await session.run()
    } catch {
      Console.error("batchrun: error: \(error)\n")
      throw ExitCode(RunReport.softwareFailure)
    }
    if result.exitCode != 0 { throw ExitCode(result.exitCode) }
  }
}
