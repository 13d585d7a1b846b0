/// How `--output grouped` marks a job's block: for GitHub Actions, GitLab CI, or anywhere.
public enum GroupMarkers: Sendable, Equatable {
  /// A rule line with the job's title.
  case rule
  /// `::group::` and `::endgroup::`.
  case githubActions
  /// `section_start` and `section_end`, collapsed (GitLab CI).
  case gitlab
}
