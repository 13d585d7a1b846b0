/// A validated manifest: the jobs to run and the settings they share.
public struct Manifest: Sendable {
  /// The path the manifest was loaded from, as given.
  var path: String
  /// The manifest's absolute path: what the records in `<state-dir>/cache/` are kept under.
  var absolutePath: String { Environment.absolute(path) }
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
  /// `jobserver: true`: serve a jobserver to the jobs, as `--jobserver` does.
  public var servesJobserver = false
  /// `vars`, `--var` overrides applied.
  var variables: [String: String] = [:]
  /// `pools`: the most jobs of each pool that run at once.
  var pools: [String: Int] = [:]
  /// `secrets`: the names of the variables whose values are masked.
  var secrets: [String] = []
  /// `gpus`: the GPU ids jobs are given; empty when the manifest names none.
  var gpus: [String] = []
  /// For each `matrix` job, the ids of its expansions in order.
  var templates: [String: [String]] = [:]
  /// Warnings found while loading (a secret too short to mask, say); the manifest is valid.
  var warnings: [Diagnostic] = []

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
    let base = job.directory ?? directory
    guard let cwd = job.cwd else { return base }
    return cwd.hasPrefix("/") ? cwd : base + "/" + cwd
  }

  /// The jobs `name` stands for: the expansions of a `matrix` job, else the job itself.
  func jobIDs(named name: String) -> [String] {
    templates[name] ?? [name]
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
