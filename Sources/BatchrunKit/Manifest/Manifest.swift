/// A validated manifest: the jobs to run and the settings they share.
public struct Manifest: Sendable {
  /// The path the manifest was loaded from, as given.
  var path: String
  /// The absolute directory holding the manifest; jobs' `cwd` is relative to it.
  var directory: String
  /// The manifest's `name`, else its file name without the extension.
  public var name: String
  /// `concurrency`, if the manifest sets it.
  public var concurrency: Int?
  /// The argv prefix for `run:` commands.
  var shell: [String]
  /// Variables added to the inherited environment, in manifest order.
  var environment: [EnvironmentVariable]
  /// The jobs, in manifest order.
  public var jobs: [Job]
  /// SHA-256 of the manifest's bytes, lower-case hex.
  var sha256: String
  /// `executor`, if the manifest sets it.
  public var executor: ExecutorChoice?

  init(
    path: String, directory: String, name: String, concurrency: Int? = nil,
    shell: [String] = Manifest.defaultShell, environment: [EnvironmentVariable] = [],
    jobs: [Job], sha256: String = "", executor: ExecutorChoice? = nil
  ) {
    self.path = path
    self.directory = directory
    self.name = name
    self.concurrency = concurrency
    self.shell = shell
    self.environment = environment
    self.jobs = jobs
    self.sha256 = sha256
    self.executor = executor
  }

  /// `[/bin/sh, -c]`.
  static let defaultShell = ["/bin/sh", "-c"]

  /// Where `job` runs: its `cwd` resolved against the manifest's directory.
  func workingDirectory(for job: Job) -> String {
    guard let cwd = job.cwd else { return directory }
    return cwd.hasPrefix("/") ? cwd : directory + "/" + cwd
  }
}

/// One `NAME: value` of an `env` mapping.
struct EnvironmentVariable: Sendable, Hashable {
  var name: String
  var value: String

  init(_ name: String, _ value: String) {
    self.name = name
    self.value = value
  }
}
