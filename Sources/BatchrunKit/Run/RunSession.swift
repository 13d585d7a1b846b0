import Glibc

/// One run of a plan from start to end: its directory, the scheduler, the journal, the
/// console, and the report written whatever the ending.
public final class RunSession: Sendable {
  /// Where a run's files and output go.
  public struct Options: Sendable {
    var settings: RunSettings
    /// The state directory; `nil` for `.batchrun` beside the manifest.
    var stateDirectory: String?
    /// A second place to write the JSON report.
    var reportCopy: String?
    /// Where to write the run as JUnit XML, if anywhere.
    var junit: String?
    /// A Markdown file to append the run's summary to (`GITHUB_STEP_SUMMARY`).
    var stepSummary: String?
    /// What counts as already done (`--force`, `--resume`, `--from`).
    var incremental: IncrementalChoice
    /// make's jobserver, when the run draws its slots from one.
    var jobserver: JobserverClient?
    /// The state directory's records, being read since before the manifest was.
    var cacheReader: CacheReader?
    /// Serve a jobserver to the jobs (`--jobserver`): the run's budget, shared with them.
    var servesJobserver: Bool
    /// How the console shows the run.
    var console: ConsoleReporter.Style
    var color: Bool

    public init(
      settings: RunSettings, stateDirectory: String? = nil, reportCopy: String? = nil, junit: String? = nil,
      stepSummary: String? = nil, incremental: IncrementalChoice = .fingerprints,
      jobserver: JobserverClient? = nil, servesJobserver: Bool = false,
      console: ConsoleReporter.Style = .plain,
      color: Bool = false, cacheReader: CacheReader? = nil
    ) {
      self.cacheReader = cacheReader
      self.servesJobserver = servesJobserver
      self.jobserver = jobserver
      self.incremental = incremental
      self.settings = settings
      self.stateDirectory = stateDirectory
      self.reportCopy = reportCopy
      self.junit = junit
      self.stepSummary = stepSummary
      self.console = console
      self.color = color
    }
  }

  let plan: Plan
  let options: Options
  let runID: String
  let store: RunStore
  /// `<state-dir>/runs/<run-id>`.
  let runDirectory: String
  private let startedAt: WallClock.Instant
  private let launches: LaunchFactory
  private let scheduler: Scheduler
  private let executor: any JobExecutor
  private let console: ConsoleReporter
  private let output: any ConsoleSink
  private let lock: RunLock
  /// Masks the values of the manifest's `secrets` in what the run writes.
  private let masker: SecretMasker
  private let upToDate: UpToDate
  /// A descriptor held from the start and given back just before the report is written,
  /// so that a full descriptor table (jobs' logs) can never cost the run its report.
  private let reserve: Int32

  /// Creates the run directory and everything the run needs; nothing starts yet.
  public init(
    plan: Plan, options: Options, executor: (any JobExecutor)? = nil, output: any ConsoleSink
  ) throws(SystemFailure) {
    self.plan = plan
    self.options = options
    let secrets = RunSecrets(plan: plan)
    masker = secrets.masker
    let output = masker.isEmpty ? output : MaskingConsoleSink(output, masker: masker)
    self.output = output
    startedAt = WallClock.now
    runID = RunStore.newRunID(at: startedAt)
    store = options.stateDirectory.map(RunStore.init(stateDirectory:)) ?? RunStore(manifest: plan.manifest)
    runDirectory = store.runDirectory(runID)
    reserve = open("/dev/null", O_RDONLY | O_CLOEXEC)
    guard reserve >= 0 else {
      throw SystemFailure(
        "cannot start a run", reason: "no file descriptor left (\(SystemFailure.text(of: errno)))")
    }
    // Read before this run's directory exists: `--resume` means the run before it.
    let incremental = (try? options.incremental.mode(plan: plan, store: store)) ?? .force
    lock = try store.create(runID: runID)
    let server =
      options.servesJobserver
      ? try JobserverServer(directory: runDirectory, slots: options.settings.concurrency) : nil
    launches = LaunchFactory(
      manifest: plan.manifest, runID: runID, runDirectory: runDirectory,
      killGrace: options.settings.killGrace,
      jobserver: server)
    let executor = executor ?? LocalProcessExecutor(sweepGrace: options.settings.killGrace)
    self.executor = executor
    console = ConsoleReporter(
      runDirectory: runDirectory, style: options.console, color: options.color, total: plan.selected.count,
      idWidth: plan.selected.map { plan.graph.jobs[$0].id.count }.max() ?? 0,
      queued: { executor.queuedCount }, output: output)
    let journal = try Journal(
      path: runDirectory + "/events.jsonl", plan: plan, runID: runID, settings: options.settings,
      startedAt: startedAt, masker: masker)
    // What counts as done; a choice that cannot be used (checked by the caller) runs everything.
    let warnings = output
    upToDate = UpToDate(
      plan: plan, runID: runID, cache: store.stateDirectory + "/cache",
      mode: incremental,
      warn: { _ = warnings.write(Self.warning($0), droppable: false) })
    upToDate.readAhead(
      plan.selected, workers: max(1, min(options.settings.concurrency, ProcessorCount.online)),
      reader: options.cacheReader)
    scheduler = Scheduler(
      plan: plan, settings: options.settings,
      executor: masker.isEmpty ? executor : SecretMaskingExecutor(executor, secrets: secrets),
      launches: launches,
      observers: [journal, console], upToDate: upToDate, jobserver: server?.client ?? options.jobserver)
  }

  /// The report's path inside the run directory.
  var reportPath: String { runDirectory + "/report.json" }

  /// Runs every selected job, then writes the report, points `latest` at this run,
  /// prunes old runs, and writes the report's copy and the JUnit XML if asked.
  ///
  /// When anything after the report fails, the report is written again with exit code
  /// 70 and the reason, so that it says what the process does.
  ///
  /// - Throws: if any of those files cannot be written; the jobs have run all the same.
  public func run() async throws(SystemFailure) -> RunReport {
    let outcome = await scheduler.run()
    do throws(SystemFailure) {
      try upToDate.save()
    } catch {
      // The records only spare work next time: without them jobs run again.
      _ = output.write(Self.warning("\(error); jobs with inputs will run again"), droppable: false)
    }
    close(reserve)
    var report = RunReport(
      runID: runID, plan: plan, settings: options.settings, outcome: outcome, startedAt: startedAt,
      finishedAt: WallClock.now)
    report.executor = executor.name
    do throws(SystemFailure) {
      try PriorDurations.record(
        report.successDurations, manifest: plan.manifest, stateDirectory: store.stateDirectory)
    } catch {
      // The durations only order the next run's jobs.
      _ = output.write(Self.warning("\(error); the next run orders jobs without them"), droppable: false)
    }
    // The executor failing (Slurm unreachable) is batchrun's failure: exit 70, no job blamed.
    var failure = executor.failure.map {
      SystemFailure("cannot run jobs on \(executor.name)", reason: "\($0)")
    }
    report.failure = failure?.description
    do throws(SystemFailure) {
      try RunStore.writeAtomically(to: reportPath, masker.masking(report.write))
    } catch {
      // The previous run stays the latest: this one has no report to point at.
      console.summary(report, reportPath: nil)
      throw error
    }
    do throws(SystemFailure) {
      try store.markLatest(runID: runID)
    } catch {
      failure = failure ?? error
    }
    store.prune(keeping: runID)
    // The JUnit file first and the report's copy last, so that the copy carries any
    // failure before it.
    if let junit = options.junit {
      do throws(SystemFailure) {
        try RunStore.writeUserFile(
          masker.mask(JUnitReport.render(report.document, runDirectory: runDirectory)), to: junit,
          console: output)
      } catch {
        failure = failure ?? error
      }
    }
    if let summary = options.stepSummary {
      appendStepSummary(
        masker.mask(StepSummary.markdown(report.document, runDirectory: runDirectory)), to: summary)
    }
    if let copy = options.reportCopy {
      report.failure = failure?.description
      do throws(SystemFailure) {
        try RunStore.writeUserFile(to: copy, console: output, masker.masking(report.write))
      } catch {
        failure = failure ?? error
      }
    }
    if let failure {
      report.failure = failure.description
      try? RunStore.writeAtomically(to: reportPath, masker.masking(report.write))
    }
    console.summary(report, reportPath: reportPath)
    if let failure { throw failure }
    return report
  }

  /// Appends `markdown` to the CI's summary file. A file that cannot be written gets a
  /// warning: the summary is a courtesy, and the run's outcome stands.
  private func appendStepSummary(_ markdown: String, to path: String) {
    let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
    let written = fd >= 0 && FileBytes.writeAll(fd, markdown)
    if fd >= 0 { close(fd) }
    if !written {
      let failure = SystemFailure("cannot append the step summary to", path: path)
      _ = output.write(Self.warning("\(failure)"), droppable: false)
    }
  }

  /// `batchrun: warning: MESSAGE`, a line for the console.
  static func warning(_ message: String) -> String {
    DiagnosticPrinter(useColor: false).format([Diagnostic(.warning, at: nil, message)])
  }

  /// Stops the run for a signal (see ``Scheduler/interrupt(signal:)``).
  public func interrupt(signal: Int32) {
    scheduler.interrupt(signal: signal)
  }
}
