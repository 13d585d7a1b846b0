import ArgumentParser
import BatchrunKit
import CBatchrunEntry

/// The `batchrun` command: runs, checks and draws manifests of shell-command jobs.
@main
struct Batchrun: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "batchrun",
    abstract: "Run batches of shell-command jobs from a YAML manifest.",
    version: BatchrunVersion.current,
    subcommands: [RunCommand.self, ValidateCommand.self, GraphCommand.self, ReportCommand.self],
    defaultSubcommand: RunCommand.self
  )

  /// The one receiver of SIGINT, SIGTERM and SIGHUP; until a command says otherwise,
  /// batchrun dies of them.
  static let signals = SignalWatcher()

  static func main() async {
    // CBatchrunEntry's .preinit_array entry blocked the stop signals before any thread existed
    // (linking the target is enough: it runs in every process of this executable); from here
    // on the watcher receives them, at any moment.
    assert(batchrun_entry_blocked_stop_signals() != 0, "CBatchrunEntry did not block the stop signals")
    _ = signals
    await main(arguments(Array(CommandLine.arguments.dropFirst())))
  }

  /// The command line with a bare `--resume` (the latest run) made `--resume=latest`, so
  /// that the option's value may be left out; `--resume RUN-ID` keeps its value when it
  /// has the form of a run id.
  static func arguments(_ arguments: [String]) -> [String] {
    var out: [String] = []
    var index = arguments.startIndex
    while index < arguments.endIndex {
      let argument = arguments[index]
      index += 1
      if argument == "--" {
        out += arguments[(index - 1)...]
        break
      }
      guard argument == "--resume" else {
        out.append(argument)
        continue
      }
      if index < arguments.endIndex, arguments[index].wholeMatch(of: /\d{8}T\d{6}\.\d{3}Z-[0-9a-f]{8}/) != nil
      {
        out.append("--resume=" + arguments[index])
        index += 1
      } else {
        out.append("--resume=" + RunCommand.latest)
      }
    }
    return out
  }
}
