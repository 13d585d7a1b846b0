import ArgumentParser
import BatchrunKit

/// Options every manifest-reading subcommand shares.
struct ManifestOptions: ParsableArguments {
  @Option(help: "When to colour output: auto, always or never (NO_COLOR is honoured).")
  var color: ColorChoice = .auto

  /// Loads `path`, printing diagnostics and throwing the matching exit code on failure.
  func load(_ path: String) throws -> Manifest {
    do {
      return try ManifestLoader.load(path: path)
    } catch {
      throw ExitCode(Console.report(error, color: color))
    }
  }

  /// Plans `targets` of `manifest`, printing diagnostics for unknown ones; `weight`
  /// gives jobs' expected durations (from a previous run).
  func plan(_ manifest: Manifest, targets: [String], weight: (@Sendable (Job) -> Double)? = nil) throws
    -> Plan
  {
    do {
      return try Plan(manifest: manifest, targets: targets, weight: weight)
    } catch {
      throw ExitCode(Console.report(error, color: color))
    }
  }
}
