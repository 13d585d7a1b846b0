import ArgumentParser
import BatchrunKit

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
}
