import ArgumentParser
import BatchrunKit

/// `batchrun graph`: print the dependency graph; edges run from a need to its dependent.
struct GraphCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "graph",
    abstract: "Print the dependency graph as dot, mermaid or json."
  )

  @Argument(help: "The manifest.")
  var manifest: String

  @Argument(help: "Only these jobs and what they need.")
  var targets: [String] = []

  @Option(help: "dot, mermaid or json.")
  var format: GraphRenderer.Format = .dot

  @OptionGroup var options: ManifestOptions

  func run() throws {
    let plan = try options.plan(try options.load(manifest), targets: targets)
    Console.out(GraphRenderer.render(plan, as: format))
  }
}
