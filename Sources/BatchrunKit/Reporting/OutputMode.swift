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
