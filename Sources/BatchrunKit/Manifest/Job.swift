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

  init(
    id: String, description: String? = nil, command: Command, needs: [String] = [],
    needLocations: [SourceLocation] = [],
    environment: [EnvironmentVariable] = [], cwd: String? = nil, timeout: Duration? = nil,
    retries: Int = 0, retryDelay: Duration = .zero, allowFailure: Bool = false,
    condition: Condition = .onSuccess, location: SourceLocation? = nil
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
  }
}
