/// Turns a ``YAMLNode`` tree into a ``Manifest``, collecting every problem on the way.
///
/// Each check runs on the tree, so each diagnostic points at the key or value at fault.
/// Jobs with problems are still decoded as far as they go, so that later checks (unknown
/// needs, cycles) do not report phantom problems about them.
struct ManifestDecoder {
  let file: String
  /// The file's bytes, to find references inside scalars (see ``referencePosition(_:index:name:)``).
  let source: [UInt8]
  /// The absolute directory of the file: `dotenv` files are relative to it.
  let directory: String
  /// `--var NAME=VALUE` values, which win over `vars`.
  let overrides: [String: String]
  /// Variables from an including manifest, which win over this one's `vars`.
  let inherited: [String: String]
  var diagnostics: [Diagnostic] = []
  /// Interpolation diagnostics already given, so that a value every job shares (in
  /// `defaults`) or every expansion of a matrix shares is reported once.
  var reported: Set<Diagnostic> = []
  /// `dotenv` files already read, by path.
  var dotenvFiles: [String: [EnvironmentVariable]?] = [:]

  init(
    file: String, source: [UInt8] = [], directory: String = ".", overrides: [String: String] = [:],
    inherited: [String: String] = [:]
  ) {
    self.file = file
    self.source = source
    self.directory = directory
    self.overrides = overrides
    self.inherited = inherited
  }

  /// One key of a mapping, after merge keys are expanded.
  struct Entry {
    var key: String
    var keyPosition: YAMLNode.Position
    var value: YAMLNode
  }

  /// A string as written, and where: interpolated for each job that uses it.
  struct Text {
    var text: String
    var position: YAMLNode.Position
  }

  /// The settings `defaults` may give and a job may override.
  struct Settings {
    var description: Text?
    var environment: [(name: String, value: Text)] = []
    var cwd: Text?
    var timeout: Duration?
    var retries: Int?
    var retryDelay: Duration?
    var allowFailure: Bool?
    var condition: Job.Condition?
    var retryBackoff: Double?
    var retryMaxDelay: Duration?
    var retryOn: (codes: Set<Int>, timeouts: Bool)?
    var cpus: Int?
    var memory: Int?
    var gpus: Int?
    var pool: Text?
    var inputs: [Text]?
    var outputs: [Text]?
    var dotenv: [EnvironmentVariable]?
  }

  /// A job as written, before interpolation and matrix expansion.
  struct Draft {
    var id: String
    var position: YAMLNode.Position
    var run: Text?
    var argv: [Text]?
    var needs: [Text] = []
    var settings: Settings
    var matrix: Matrix?
  }

  /// The top-level fields, decoded.
  struct Document {
    var name: String?
    var concurrency: Int?
    var shell: [String]?
    var environment: [EnvironmentVariable] = []
    var jobs: [Job] = []
    var executor: ExecutorChoice?
    var jobserver: Bool?
    var variables: [String: String] = [:]
    var pools: [(name: String, depth: Int, location: SourceLocation)] = []
    var poolUses: [(name: String, location: SourceLocation)] = []
    var secrets: [(name: String, location: SourceLocation)] = []
    var gpus: [String]?
    var includes: [(path: String, location: SourceLocation)] = []
    var templates: [String: [String]] = [:]
  }

  // MARK: - Diagnostics

  func location(_ position: YAMLNode.Position) -> SourceLocation {
    SourceLocation(file: file, line: position.line, column: position.column)
  }

  mutating func error(_ position: YAMLNode.Position, _ message: String) {
    diagnostics.append(Diagnostic(at: location(position), message))
  }

  // MARK: - Document

  mutating func decode(_ root: YAMLNode?, included: Bool = false) -> Document {
    var document = Document()
    guard let root, !root.isNull else {
      error(.init(line: 1, column: 1), "the manifest is empty; it needs at least a 'jobs' mapping")
      return document
    }
    guard let topLevel = entries(of: root, what: "the manifest", duplicate: "key") else {
      return document
    }
    // `vars` first: every other value may use them.
    document.variables = inherited
    if let vars = topLevel.first(where: { $0.key == "vars" }) {
      for (name, value) in variables(vars.value) where inherited[name] == nil {
        document.variables[name] = value
      }
    }
    document.variables.merge(overrides) { $1 }
    let scope = Scope(variables: document.variables)
    var defaults = Settings()
    var environment: [EnvironmentVariable] = []
    var dotenv: [EnvironmentVariable] = []
    var jobsEntry: Entry?
    for entry in topLevel {
      switch entry.key {
      case "version":
        if let version = integer(entry.value, "'version'"), !ManifestLimits.version.contains(version) {
          error(
            entry.value.position,
            "unknown version \(entry.value.scalarText ?? "") (only version 1 is supported)")
        }
      case _ where included && ManifestKeys.mainOnly.contains(entry.key):
        error(
          entry.keyPosition, "'\(entry.key)' has no effect in an included manifest; set it in the main one")
      case "name": document.name = string(entry.value, "'name'", allowEmpty: false)
      case "concurrency":
        document.concurrency = integer(entry.value, "'concurrency'", in: ManifestLimits.concurrency)
      case "shell":
        if let shell = stringList(entry.value, "'shell'", allowScalar: false) {
          if shell.isEmpty {
            error(entry.value.position, "'shell' is empty; write it as e.g. [/bin/sh, -c]")
          } else {
            document.shell = shell
          }
        }
      case "env":
        environment = environmentTexts(entry.value, "'env'").map {
          EnvironmentVariable($0.name, interpolate($0.value, scope))
        }
      case "defaults":
        let items = entries(of: entry.value, what: "'defaults'", duplicate: "key") ?? []
        defaults = settings(items, context: "in 'defaults'", allowed: ManifestKeys.defaults)
      case "jobs": jobsEntry = entry
      case "executor": document.executor = executor(entry.value)
      case "jobserver": document.jobserver = boolean(entry.value, "'jobserver'")
      case "vars": break
      case "dotenv": dotenv = dotenvVariables(entry.value, "'dotenv'")
      case "pools": document.pools = pools(entry.value)
      case "secrets":
        document.secrets = stringNodes(entry.value, "'secrets'", allowScalar: false).compactMap { node in
          let name = node.scalarText ?? ""
          guard isEnvironmentName(name) else {
            error(
              node.position,
              "invalid secret name \(MessageText.quoted(name)): give an environment variable's name")
            return nil
          }
          return (name, location(node.position))
        }
      case "gpus": document.gpus = stringList(entry.value, "'gpus'", allowScalar: false)
      case "include":
        document.includes = stringNodes(entry.value, "'include'", allowScalar: true).map {
          ($0.scalarText ?? "", location($0.position))
        }
      default:
        unknownKey(entry, context: "at the top level", known: ManifestKeys.topLevel)
      }
    }
    document.environment = merged(dotenv, environment)
    guard let jobsEntry else {
      // An included manifest may bring only pools, say.
      if !included { error(root.position, "missing 'jobs': a manifest needs at least one job") }
      return document
    }
    document.jobs = jobs(jobsEntry, defaults: defaults, document: &document)
    return document
  }

  // MARK: - Jobs

  mutating func jobs(_ entry: Entry, defaults: Settings, document: inout Document) -> [Job] {
    if entry.value.isNull {
      error(entry.keyPosition, "'jobs' is empty; add at least one job")
      return []
    }
    var duplicates: [Entry] = []
    guard let jobEntries = entries(of: entry.value, what: "'jobs'", duplicate: "job id", dropped: &duplicates)
    else {
      return []
    }
    if jobEntries.isEmpty {
      error(entry.value.position, "'jobs' is empty; add at least one job")
    }
    var jobs: [Job] = []
    jobs.reserveCapacity(jobEntries.count)
    for entry in jobEntries {
      checkIdentifier(entry)
      guard let draft = draft(entry, defaults: defaults) else {
        jobs.append(placeholder(entry.key, entry.keyPosition))
        continue
      }
      let start = jobs.count
      expand(draft, variables: document.variables, into: &jobs)
      if draft.matrix != nil { document.templates[draft.id] = jobs[start...].map(\.id) }
      if let pool = draft.settings.pool { document.poolUses.append((pool.text, location(pool.position))) }
    }
    // A job defined twice: what is wrong in the second definition is said too.
    for entry in duplicates {
      if let draft = draft(entry, defaults: defaults) {
        var ignored: [Job] = []
        expand(draft, variables: document.variables, into: &ignored)
      }
    }
    return jobs
  }

  mutating func checkIdentifier(_ entry: Entry) {
    let id = entry.key
    if id.utf8.count > JobIdentifier.maximumLength {
      error(
        entry.keyPosition,
        "job id '\(id.prefix(40))...' is longer than \(JobIdentifier.maximumLength) characters")
    } else if !JobIdentifier.isValid(id) {
      error(
        entry.keyPosition,
        "invalid job id \(MessageText.quoted(id, limit: JobIdentifier.maximumLength)): use letters, digits,"
          + " '_', '.' and '-', starting with a letter, digit or '_'"
          + (JobIdentifier.suggestion(for: id).map { " (e.g. '\($0)')" } ?? ""))
    } else if let suffix = JobIdentifier.reservedSuffix(of: id) {
      error(
        entry.keyPosition,
        "job id '\(id)' ends in '\(suffix)', which is reserved for retry logs"
          + " (logs/<job>.attempt-<n>.log); rename it, e.g. '\(JobIdentifier.unreserved(id))'")
    }
  }

  /// A job's keys read and checked, `defaults` applied; `nil` when it is not a mapping.
  mutating func draft(_ entry: Entry, defaults: Settings) -> Draft? {
    let id = entry.key
    let context = "in job '\(id)'"
    let position = entry.keyPosition
    if entry.value.isNull {
      error(position, "job '\(id)' has neither 'run' nor 'argv'; add one, e.g. 'run: echo hello'")
      return nil
    }
    guard case .mapping = entry.value else {
      var message = "job '\(id)' must be a mapping of job keys, not \(entry.value.kindDescription)"
      if let text = entry.value.scalarText {
        message += " (did you mean '\(id): {run: \(text)}'?)"
      }
      error(entry.value.position, message)
      return nil
    }
    let items = entries(of: entry.value, what: "job '\(id)'", duplicate: "key") ?? []
    var draft = Draft(
      id: id, position: position, settings: settings(items, context: context, allowed: ManifestKeys.job))
    var commandKey: String?
    for item in items {
      switch item.key {
      case "run", "argv":
        if let commandKey {
          error(item.keyPosition, "job '\(id)' has both '\(commandKey)' and '\(item.key)'; keep one")
          continue
        }
        commandKey = item.key
        if item.key == "run" {
          draft.run =
            string(item.value, "'run' \(context)", allowEmpty: false)
            .flatMap { withoutNUL($0, at: item.value.position, "'run' \(context)") }
            .map { Text(text: $0, position: item.value.position) } ?? Text(text: "", position: position)
        } else {
          let nodes = stringNodes(item.value, "'argv' \(context)", allowScalar: false)
          if case .sequence(let all, _, _) = item.value, all.isEmpty {
            error(item.value.position, "'argv' \(context) is empty; give the program and its arguments")
          }
          draft.argv = nodes.compactMap { node in
            withoutNUL(node.scalarText ?? "", at: node.position, "an item of 'argv' \(context)").map {
              Text(text: $0, position: node.position)
            }
          }
        }
      case "needs":
        draft.needs = stringNodes(item.value, "'needs' \(context)", allowScalar: true).map {
          Text(text: $0.scalarText ?? "", position: $0.position)
        }
      case "matrix": draft.matrix = matrix(item.value, job: id)
      default: break
      }
    }
    // A misspelt command key (`command:`, `cmd:`) already has its own diagnostic.
    let misspeltCommand = items.contains {
      !ManifestKeys.job.contains($0.key)
        && ["run", "argv"].contains(ManifestKeys.suggestion(for: $0.key, in: ManifestKeys.job))
    }
    if commandKey == nil, !misspeltCommand {
      error(position, "job '\(id)' has neither 'run' nor 'argv'; add one, e.g. 'run: echo hello'")
    }
    draft.settings.inherit(defaults)
    return draft
  }

  func placeholder(_ id: String, _ position: YAMLNode.Position) -> Job {
    Job(id: id, command: .argv([]), location: location(position))
  }

  func merged(_ base: [EnvironmentVariable], _ overrides: [EnvironmentVariable]) -> [EnvironmentVariable] {
    guard !base.isEmpty else { return overrides }
    guard !overrides.isEmpty else { return base }
    let names = Set(overrides.map(\.name))
    return base.filter { !names.contains($0.name) } + overrides
  }

  /// Decodes the keys shared by jobs and `defaults`; reports keys not in `allowed`.
  mutating func settings(_ entries: [Entry], context: String, allowed: [String]) -> Settings {
    var settings = Settings()
    for entry in entries {
      let what = "'\(entry.key)' \(context)"
      switch entry.key {
      case _ where !allowed.contains(entry.key):
        if ManifestKeys.perJobOnly.contains(entry.key) {
          error(entry.keyPosition, "'\(entry.key)' cannot be set \(context); set it on each job")
        } else {
          unknownKey(entry, context: context, known: allowed)
        }
      case "description":
        // `description:` with no value sets nothing: the default's stays.
        settings.description =
          entry.value.isNull
          ? nil
          : string(entry.value, what, allowEmpty: true).map { Text(text: $0, position: entry.value.position) }
      case "env": settings.environment = environmentTexts(entry.value, what)
      case "cwd":
        settings.cwd = string(entry.value, what, allowEmpty: false).flatMap {
          withoutNUL($0, at: entry.value.position, what)
        }.map { Text(text: $0, position: entry.value.position) }
      case "timeout": settings.timeout = duration(entry.value, what)
      case "retry-delay": settings.retryDelay = duration(entry.value, what)
      case "retries": settings.retries = integer(entry.value, what, in: ManifestLimits.retries)
      case "allow-failure": settings.allowFailure = boolean(entry.value, what)
      case "when":
        guard let text = string(entry.value, what, allowEmpty: false) else { break }
        if let condition = Job.Condition(rawValue: text) {
          settings.condition = condition
        } else {
          let cases = Job.Condition.allCases.map(\.rawValue)
          error(
            entry.value.position,
            "invalid \(what): '\(text)'\(Suggestion.didYouMean(text, in: cases));"
              + " use on-success, always or on-failure")
        }
      default: additionalSetting(entry, what, into: &settings)
      }
    }
    return settings
  }

  mutating func unknownKey(_ entry: Entry, context: String, known: [String]) {
    if entry.key.hasPrefix("x-") { return }  // extension keys, e.g. to hold anchors or notes
    let hint = ManifestKeys.suggestion(for: entry.key, in: known).map { " (did you mean '\($0)'?)" }
    error(entry.keyPosition, "unknown key '\(entry.key)' \(context)\(hint ?? "")")
  }
}
