/// Why a manifest could not be loaded.
public enum ManifestError: Error, Sendable {
  /// The file is missing or unreadable (exit 66).
  case unreadable(path: String, reason: String)
  /// The manifest has problems, every one listed (exit 65).
  case invalid([Diagnostic])

  /// The exit code docs/cli.md ("Exit codes") gives this failure.
  public var exitCode: Int32 {
    switch self {
    case .unreadable: ExitStatus.noInput
    case .invalid: ExitStatus.invalidInput
    }
  }

  /// What to print on standard error, one diagnostic per problem.
  public var diagnostics: [Diagnostic] {
    switch self {
    case .unreadable(let path, let reason): [Diagnostic(at: nil, "cannot read manifest '\(path)': \(reason)")]
    case .invalid(let diagnostics): diagnostics
    }
  }

  /// ``diagnostics`` as lines of text.
  public var messages: [String] { diagnostics.map(\.description) }
}
