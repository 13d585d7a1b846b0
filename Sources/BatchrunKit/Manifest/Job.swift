/// One job of a manifest, with `defaults` already applied.
public struct Job: Sendable {
  /// What a job executes.
  enum Command: Sendable, Hashable {
    /// A `run:` string, given to the manifest's shell.
    case shell(String)
    /// An `argv:` list, executed directly.
    case argv([String])
  }

  /// `when`: which outcomes of its needs let a job run.
  enum Condition: String, Sendable, Hashable, CaseIterable {
    case onSuccess = "on-success"
    case always
    case onFailure = "on-failure"
  }

  /// One axis value of a job expanded from a `matrix`.
  struct MatrixValue: Sendable, Hashable {
    var axis: String
    var value: String

    init(axis: String, value: String) {
      self.axis = axis
      self.value = value
    }
  }

  public var id: String
  var description: String?
  var command: Command
  /// Ids of the jobs this one needs, in the order written.
  var needs: [String]
  /// Where each of `needs` is written, when the job came from a file.
  var needLocations: [SourceLocation]
  var environment: [EnvironmentVariable]
  /// The working directory as written (relative to the manifest's directory), if any.
  var cwd: String?
  var timeout: Duration?
  var retries: Int
  var retryDelay: Duration
  var allowFailure: Bool
  var condition: Condition
  /// Where the job's id is written in the manifest.
  var location: SourceLocation?
  /// The axis values of a job expanded from a `matrix`, in axis order; `nil` otherwise.
  var matrix: [MatrixValue]?
  /// The id of the `matrix` job this one was expanded from.
  var template: String?
  /// What the job asks for: cpus, memory and gpus.
  var resources: JobResources
  /// The `pool` the job runs in, if any.
  var pool: String?
  /// `inputs` and `outputs`: paths or globs, relative to the job's working directory.
  var inputs: [String]
  var outputs: [String]
  /// When and how often a failed attempt is retried, besides `retries` and `retryDelay`.
  var retryPolicy: RetryPolicy
  /// The shell of the manifest the job comes from, when it is an included one.
  var shell: [String]?
  /// The absolute directory of the manifest the job comes from, when it is an included one.
  var directory: String?

  init(
    id: String, description: String? = nil, command: Command, needs: [String] = [],
    needLocations: [SourceLocation] = [],
    environment: [EnvironmentVariable] = [], cwd: String? = nil, timeout: Duration? = nil,
    retries: Int = 0, retryDelay: Duration = .zero, allowFailure: Bool = false,
    condition: Condition = .onSuccess, location: SourceLocation? = nil, matrix: [MatrixValue]? = nil,
    template: String? = nil, resources: JobResources = JobResources(), pool: String? = nil,
    inputs: [String] = [], outputs: [String] = [], retryPolicy: RetryPolicy = RetryPolicy(),
    shell: [String]? = nil, directory: String? = nil
  ) {
    self.id = id
    self.description = description
    self.command = command
    self.needs = needs
    self.needLocations = needLocations
    self.environment = environment
    self.cwd = cwd
    self.timeout = timeout
    self.retries = retries
    self.retryDelay = retryDelay
    self.allowFailure = allowFailure
    self.condition = condition
    self.location = location
    self.matrix = matrix
    self.template = template
    self.resources = resources
    self.pool = pool
    self.inputs = inputs
    self.outputs = outputs
    self.retryPolicy = retryPolicy
    self.shell = shell
    self.directory = directory
  }

  /// The wait before attempt `attempt + 1`, after attempt `attempt` failed: `retryDelay`
  /// multiplied by `retry-backoff` once per earlier retry, capped by `retry-max-delay`.
  func retryDelay(after attempt: Int) -> Duration {
    var delay = retryDelay
    if retryPolicy.backoff != 1 {
      var scaled = retryDelay.seconds
      // Stops growing at the longest duration there is (a year).
      for _ in 1..<max(1, attempt) where scaled < 31_536_000 { scaled *= retryPolicy.backoff }
      let capped = min(scaled, 31_536_000)
      delay = .milliseconds(Int64((capped * 1000).rounded()))
    }
    if let cap = retryPolicy.maxDelay, delay > cap { delay = cap }
    return delay
  }
}
