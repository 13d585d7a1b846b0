/// Why a manifest could not be loaded.
public enum ManifestError: Error, Sendable {
  /// The file is missing or unreadable (exit 66).
  case unreadable(path: String, reason: String)
  /// The manifest has problems, every one listed (exit 65).
  case invalid([Diagnostic])

  /// The exit code docs/cli.md ("Exit codes") gives this failure.
  public var exitCode: Int32 {
    switch self {
    case .unreadable: 66
    case .invalid: 65
    }
  }

  /// The lines to print on standard error.
  public var messages: [String] {
    switch self {
    case .unreadable(let path, let reason): ["batchrun: error: cannot read manifest '\(path)': \(reason)"]
    case .invalid(let diagnostics): diagnostics.map(\.description)
    }
  }
}
