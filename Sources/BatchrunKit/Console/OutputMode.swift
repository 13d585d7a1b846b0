import CBatchrunShims
import Glibc

/// `--output`: how the console shows a run.
public enum OutputMode: String, Sendable, CaseIterable {
  /// `status` on a terminal, plain lines elsewhere.
  case auto
  /// A live status line on a terminal; plain lines elsewhere.
  case status
  /// Every output line live, prefixed with the job id.
  case stream
  /// Each job's whole log when it finishes.
  case grouped
  /// Failures and the summary only.
  case quiet
}

extension OutputMode {
  /// The console style for this mode: `auto` and `status` draw a live status line on a
  /// terminal and print plain lines elsewhere; `grouped` uses GitHub Actions' groups when
  /// `GITHUB_ACTIONS=true`, GitLab's collapsible sections when `GITLAB_CI=true`.
  public func style(
    environment: [String: String], terminalWidth: Int = Int(batchrun_terminal_width(STDOUT_FILENO))
  )
    -> ConsoleReporter.Style
  {
    switch self {
    case .auto, .status: terminalWidth > 0 ? .live(width: terminalWidth) : .plain
    case .stream: .stream
    case .grouped:
      .grouped(
        environment["GITHUB_ACTIONS"] == "true"
          ? .githubActions : environment["GITLAB_CI"] == "true" ? .gitlab : .rule)
    case .quiet: .quiet
    }
  }
}
