import ArgumentParser
import BatchrunKit

/// `batchrun report`: show a run's report, the latest one by default.
struct ReportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "report",
    abstract: "Show a run's report (default: the latest run in the state directory)."
  )

  /// Output formats of `report`.
  enum Format: String, ExpressibleByArgument, CaseIterable {
    case text, html, junit, json
  }

  @Argument(help: "A report.json or a run directory (a run without report.json is rebuilt from its journal).")
  var report: String?

  @Option(help: "text, html, junit or json.")
  var format: Format = .text

  @Option(help: "The state directory whose latest run to show (default: ./.batchrun).")
  var stateDir: String = ".batchrun"

  func run() throws {
    let path = report ?? stateDir + "/latest"
    let document: ReportDocument
    do throws(ReportLoader.Failure) {
      document = try ReportLoader.load(path)
    } catch {
      // 65 for a file that is not a report (or journal), 66 for one missing or unreadable.
      Console.error("batchrun: error: \(error)\n")
      throw ExitCode(error.exitCode)
    }
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
  }
}
