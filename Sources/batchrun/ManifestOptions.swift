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

  /// Plans `targets` of `manifest`, printing diagnostics for unknown ones.
  func plan(_ manifest: Manifest, targets: [String]) throws -> Plan {
    do {
      return try Plan(manifest: manifest, targets: targets)
    } catch {
      throw ExitCode(Console.report(error, color: color))
    }
  }
}
