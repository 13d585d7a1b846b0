/// What a run does after a job fails.
public enum FailurePolicy: String, Sendable {
  /// Start nothing new but `always`/`on-failure` jobs whose needs are done; let running jobs finish.
  case stopStarting = "default"
  /// `--keep-going`: run everything that does not need a failed job.
  case keepGoing = "keep-going"
  /// `--fail-fast`: also stop the jobs that are running.
  case failFast = "fail-fast"
}
