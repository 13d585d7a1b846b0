import ArgumentParser
import BatchrunKit

/// `batchrun report`: show a run's report, the latest one by default, or what changed
/// between two runs.
struct ReportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "report",
    abstract: "Show a run's report (default: the latest run in the state directory).",
    discussion: """
      With --diff, show what changed from one run to another (default: the two latest): \
      jobs newly failing, fixed, still failing, added, removed, slower or faster by more \
      than 20 % and 1 s, and flaky ones.
      """
  )

  /// Output formats of `report`.
  enum Format: String, ExpressibleByArgument, CaseIterable {
    case text, html, junit, json
  }

  @Argument(
    help: """
      A report.json or a run directory (a run without report.json is rebuilt from its \
      journal); with --diff, up to two, the earlier first, each also a run id of the state \
      directory.
      """)
  var reports: [String] = []

  @Option(help: "text, html, junit or json (with --diff: text or json).")
  var format: Format = .text

  @Option(help: "The state directory whose runs to show (default: ./.batchrun).")
  var stateDir: String = ".batchrun"

  @Flag(help: "Show what changed between two runs.")
  var diff = false

  @Flag(help: "With --diff: exit 1 when a job newly fails or got slower.")
  var failOnRegression = false

  func validate() throws {
    if reports.count > (diff ? 2 : 1) {
      throw ValidationError(
        diff ? "--diff compares two runs; got \(reports.count)." : "Give one report, or use --diff.")
    }
    if failOnRegression, !diff { throw ValidationError("--fail-on-regression goes with --diff.") }
    if diff, format == .html || format == .junit {
      throw ValidationError("--diff prints text or json, not \(format.rawValue).")
    }
  }

  func run() throws {
    guard diff else {
      let path = reports.first ?? stateDir + "/latest"
      let document = try load(path)
      switch format {
      case .text: Console.out(TextReport.render(document))
      case .json: Console.out(document.json().rendered(pretty: true) + "\n")
      case .junit:
        Console.out(
          JUnitReport.render(document, runDirectory: ReportLoader.runDirectory(of: document, at: path)))
      case .html:
        Console.out(
          HTMLReport.render(document, runDirectory: ReportLoader.runDirectory(of: document, at: path)))
      }
      return
    }
    let store = RunStore(stateDirectory: stateDir)
    // The latest run is the later one unless two are given; the one before it the earlier.
    let latest = store.runIDs().suffix(2 - reports.count).map(store.runDirectory)
    let paths = reports.map(store.reportPath) + latest
    guard paths.count == 2 else {
      Console.fail("\(stateDir): --diff needs two runs; it has \(store.runIDs().count)")
      throw ExitCode(ExitStatus.noInput)
    }
    let (before, after) = (try load(paths[0]), try load(paths[1]))
    let changes = ReportDiff(from: before, to: after)
    switch format {
    case .json: Console.out(changes.json(before: before, after: after).rendered(pretty: true) + "\n")
    default: Console.out(changes.text(before: before, after: after))
    }
    if failOnRegression, changes.isRegression { throw ExitCode(ExitStatus.failure) }
  }

  /// The report at `path`, or exit 65 (not a report) or 66 (nothing there, unreadable).
  private func load(_ path: String) throws -> ReportDocument {
    do throws(ReportLoader.Failure) {
      return try ReportLoader.load(path)
    } catch {
      Console.fail("\(error)")
      throw ExitCode(error.exitCode)
    }
  }
}
