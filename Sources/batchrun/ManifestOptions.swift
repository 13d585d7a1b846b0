import ArgumentParser
import BatchrunKit

/// Options every manifest-reading subcommand shares.
struct ManifestOptions: ParsableArguments {
  @Option(help: "When to colour output: auto, always or never (NO_COLOR is honoured).")
  var color: ColorChoice = .auto

  @Option(
    name: .customLong("var"),
    help: ArgumentHelp(
      "Set a manifest variable, winning over its 'vars' (repeatable).", valueName: "NAME=VALUE"))
  var variables: [String] = []

  func validate() throws {
    for assignment in variables {
      guard let equals = assignment.firstIndex(of: "="),
        ManifestLoader.isVariableName(String(assignment[..<equals]))
      else {
        throw ValidationError(
          "--var takes NAME=VALUE, NAME made of letters, digits, '_' and '-'; got '\(assignment)'.")
      }
    }
  }

  /// `--var` values by name; a later one wins.
  var overrides: [String: String] {
    var result: [String: String] = [:]
    for assignment in variables {
      guard let equals = assignment.firstIndex(of: "=") else { continue }
      result[String(assignment[..<equals])] = String(assignment[assignment.index(after: equals)...])
    }
    return result
  }

  /// Loads `path`, printing diagnostics and throwing the matching exit code on failure.
  func load(_ path: String) throws -> Manifest {
    do {
      return try ManifestLoader.load(path: path, variables: overrides)
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
