/// How a run goes, from the command line and the manifest.
public struct RunSettings: Sendable {
  /// The most jobs that run at once (the worker pool's size).
  var concurrency: Int
  var failurePolicy: FailurePolicy
  /// The timeout of jobs that set none.
  public var defaultTimeout: Duration?
  /// Between SIGTERM and SIGKILL when a job is stopped.
  public var killGrace: Duration
  /// `--memory`: the bytes running jobs may ask for at once; `nil` for no limit.
  var memory: Int?
  /// `--gpus`: the GPU ids jobs are given, instead of the manifest's `gpus`.
  var gpus: [String]?

  public init(
    concurrency: Int, failurePolicy: FailurePolicy = .stopStarting, defaultTimeout: Duration? = nil,
    killGrace: Duration = .seconds(10), memory: Int? = nil, gpus: [String]? = nil
  ) {
    self.memory = memory
    self.gpus = gpus
    self.concurrency = concurrency
    self.failurePolicy = failurePolicy
    self.defaultTimeout = defaultTimeout
    self.killGrace = killGrace
  }
}
