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
    await main(nil)
  }
}
