/// Turns a ``YAMLNode`` tree into a ``Manifest``, collecting every problem on the way.
///
/// Each check runs on the tree, so each diagnostic points at the key or value at fault.
/// Jobs with problems are still decoded as far as they go, so that later checks (unknown
/// needs, cycles) do not report phantom problems about them.
struct ManifestDecoder {
  let file: String
  private(set) var diagnostics: [Diagnostic] = []

  init(file: String) {
    self.file = file
  }

  /// One key of a mapping, after merge keys are expanded.
  struct Entry {
    var key: String
    var keyPosition: YAMLNode.Position
    var value: YAMLNode
  }

  /// The settings `defaults` may give and a job may override.
  struct Settings {
    var description: String?
    var environment: [EnvironmentVariable] = []
    var cwd: String?
    var timeout: Duration?
    var retries: Int?
    var retryDelay: Duration?
    var allowFailure: Bool?
    var condition: Job.Condition?
  }

  /// The top-level fields, decoded.
  struct Document {
    var name: String?
    var concurrency: Int?
    var shell: [String]?
    var environment: [EnvironmentVariable] = []
    var jobs: [Job] = []
    var executor: ExecutorChoice?
  }

  // MARK: - Diagnostics

  func location(_ position: YAMLNode.Position) -> SourceLocation {
    SourceLocation(file: file, line: position.line, column: position.column)
  }

  mutating func error(_ position: YAMLNode.Position, _ message: String) {
    diagnostics.append(Diagnostic(at: location(position), message))
  }

  // MARK: - Document

  mutating func decode(_ root: YAMLNode?) -> Document {
    var document = Document()
    guard let root, !root.isNull else {
      error(.init(line: 1, column: 1), "the manifest is empty; it needs at least a 'jobs' mapping")
      return document
    }
    guard let topLevel = entries(of: root, what: "the manifest", duplicate: "key") else {
      return document
    }
    var defaults = Settings()
    var jobsEntry: Entry?
    for entry in topLevel {
      switch entry.key {
      case "version":
        if let version = integer(entry.value, "'version'"), !ManifestLimits.version.contains(version) {
          error(
            entry.value.position,
            "unknown version \(entry.value.scalarText ?? "") (only version 1 is supported)")
        }
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
      case "env": document.environment = environment(entry.value, "'env'")
      case "defaults":
        let items = entries(of: entry.value, what: "'defaults'", duplicate: "key") ?? []
        defaults = settings(items, context: "in 'defaults'", allowed: ManifestKeys.defaults)
      case "jobs": jobsEntry = entry
      case "executor": document.executor = executor(entry.value)
      default:
        unknownKey(entry, context: "at the top level", known: ManifestKeys.topLevel)
      }
    }
    guard let jobsEntry else {
      error(root.position, "missing 'jobs': a manifest needs at least one job")
      return document
    }
    document.jobs = jobs(jobsEntry, defaults: defaults)
    return document
  }

  // MARK: - Jobs

  mutating func jobs(_ entry: Entry, defaults: Settings) -> [Job] {
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
      if let job = job(entry, defaults: defaults) {
        jobs.append(job)
      }
    }
    // A job defined twice: what is wrong in the second definition is said too.
    for entry in duplicates { _ = job(entry, defaults: defaults) }
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

  mutating func job(_ entry: Entry, defaults: Settings) -> Job? {
    let id = entry.key
    let context = "in job '\(id)'"
    let position = entry.keyPosition
    if entry.value.isNull {
      error(position, "job '\(id)' has neither 'run' nor 'argv'; add one, e.g. 'run: echo hello'")
      return placeholder(id, position)
    }
    guard case .mapping = entry.value else {
      var message = "job '\(id)' must be a mapping of job keys, not \(entry.value.kindDescription)"
      if let text = entry.value.scalarText {
        message += " (did you mean '\(id): {run: \(text)}'?)"
      }
      error(entry.value.position, message)
      return placeholder(id, position)
    }
    let items = entries(of: entry.value, what: "job '\(id)'", duplicate: "key") ?? []
    var own = settings(items, context: context, allowed: ManifestKeys.job)
    var command: Job.Command?
    var commandKey: String?
    var needs: [String] = []
    var seenNeeds: Set<String> = []
    var needLocations: [SourceLocation] = []
    for item in items {
      switch item.key {
      case "run", "argv":
        let value: Job.Command?
        if item.key == "run" {
          value = string(item.value, "'run' \(context)", allowEmpty: false)
            .flatMap { withoutNUL($0, at: item.value.position, "'run' \(context)") }.map(Job.Command.shell)
        } else {
          value = stringList(item.value, "'argv' \(context)", allowScalar: false).flatMap {
            if $0.isEmpty {
              error(item.value.position, "'argv' \(context) is empty; give the program and its arguments")
              return nil
            }
            return .argv($0)
          }
        }
        if let commandKey {
          error(item.keyPosition, "job '\(id)' has both '\(commandKey)' and '\(item.key)'; keep one")
        } else {
          commandKey = item.key
          command = value
        }
      case "needs":
        for node in stringNodes(item.value, "'needs' \(context)", allowScalar: true) {
          if let text = node.scalarText, seenNeeds.insert(text).inserted {
            needs.append(text)
            needLocations.append(location(node.position))
          }
        }
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
    own.environment = merged(defaults.environment, own.environment)
    return Job(
      id: id, description: own.description ?? defaults.description,
      command: command ?? .argv([]), needs: needs, needLocations: needLocations,
      environment: own.environment, cwd: own.cwd ?? defaults.cwd,
      timeout: own.timeout ?? defaults.timeout, retries: own.retries ?? defaults.retries ?? 0,
      retryDelay: own.retryDelay ?? defaults.retryDelay ?? .zero,
      allowFailure: own.allowFailure ?? defaults.allowFailure ?? false,
      condition: own.condition ?? defaults.condition ?? .onSuccess, location: location(position))
  }

  func placeholder(_ id: String, _ position: YAMLNode.Position) -> Job {
    Job(id: id, command: .argv([]), location: location(position))
  }

  func merged(_ base: [EnvironmentVariable], _ overrides: [EnvironmentVariable]) -> [EnvironmentVariable] {
    guard !base.isEmpty else { return overrides }
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
        settings.description = entry.value.isNull ? nil : string(entry.value, what, allowEmpty: true)
      case "env": settings.environment = environment(entry.value, what)
      case "cwd":
        settings.cwd = string(entry.value, what, allowEmpty: false).flatMap {
          withoutNUL($0, at: entry.value.position, what)
        }
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
      default: break  // run, argv and needs are read by `job`
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
