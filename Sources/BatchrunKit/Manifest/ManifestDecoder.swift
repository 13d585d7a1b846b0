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

  // MARK: - Mappings

  /// A mapping's entries with `<<` merge keys expanded; reports duplicate keys when
  /// `duplicate` names them ("key", "job id"), and returns `nil` for a non-mapping.
  mutating func entries(of node: YAMLNode, what: String, duplicate: String?) -> [Entry]? {
    var dropped: [Entry] = []
    return entries(of: node, what: what, duplicate: duplicate, dropped: &dropped)
  }

  /// ``entries(of:what:duplicate:)``, and in `dropped` the entries left out as duplicates.
  mutating func entries(
    of node: YAMLNode, what: String, duplicate: String?, dropped: inout [Entry]
  ) -> [Entry]? {
    guard case .mapping(let pairs, _, _) = node else {
      if !node.isNull || duplicate != nil {
        error(node.position, "\(what) must be a mapping, not \(node.kindDescription)")
      }
      return node.isNull ? [] : nil
    }
    var result: [Entry] = []
    result.reserveCapacity(pairs.count)
    var seen: [String: YAMLNode.Position] = [:]
    var merged: [Entry] = []
    for pair in pairs {
      guard case .scalar(let key) = pair.key else {
        if duplicate != nil {
          error(pair.key.position, "keys in \(what) must be strings, not \(pair.key.kindDescription)")
        }
        continue
      }
      if key.text == "<<", key.isPlain, key.tag == nil {
        merged += mergeEntries(pair.value)
        continue
      }
      if let first = seen[key.text] {
        if duplicate == "job id" {
          error(
            key.position, "duplicate job id '\(key.text)' (first defined at \(location(first).lineColumn))")
        } else if let duplicate {
          error(
            key.position,
            "duplicate \(duplicate) '\(key.text)' in \(what) (first at \(location(first).lineColumn))")
        }
        dropped.append(Entry(key: key.text, keyPosition: key.position, value: pair.value))
        continue
      }
      seen[key.text] = key.position
      result.append(Entry(key: key.text, keyPosition: key.position, value: pair.value))
    }
    for entry in merged where seen[entry.key] == nil {
      seen[entry.key] = entry.keyPosition
      result.append(entry)
    }
    return result
  }

  /// The entries a `<<` value brings: one mapping, or a list of them (earlier ones win).
  mutating func mergeEntries(_ value: YAMLNode) -> [Entry] {
    let sources: [YAMLNode]
    switch value {
    case .mapping: sources = [value]
    case .sequence(let items, _, _): sources = items
    default:
      error(
        value.position, "a merge key '<<' takes a mapping or a list of mappings, not \(value.kindDescription)"
      )
      return []
    }
    var result: [Entry] = []
    var keys = Set<String>()
    for source in sources {
      guard case .mapping = source else {
        error(source.position, "a merge key '<<' takes mappings, not \(source.kindDescription)")
        continue
      }
      for entry in entries(of: source, what: "a merged mapping", duplicate: nil) ?? []
      where keys.insert(entry.key).inserted {
        result.append(entry)
      }
    }
    return result
  }

  // MARK: - Scalars

  mutating func string(_ node: YAMLNode, _ what: String, allowEmpty: Bool) -> String? {
    guard case .scalar(let scalar) = node, !node.isNull else {
      if node.isNull, allowEmpty { return "" }
      error(node.position, "\(what) must be a string, not \(node.kindDescription)")
      return nil
    }
    if !allowEmpty, scalar.text.isEmpty {
      error(node.position, "\(what) is empty")
      return nil
    }
    return scalar.text
  }

  /// An integer, or a tagged `!!int`; one beyond `Int`'s range is saturated (see ``YAMLNode/Value``).
  mutating func integer(_ node: YAMLNode, _ what: String) -> Int? {
    guard case .scalar(let scalar) = node else {
      error(node.position, "\(what) must be a whole number, not \(node.kindDescription)")
      return nil
    }
    if case .integer(let value)? = scalar.value {
      return value
    }
    // A fraction is shown as written, with its tag: '1.5', '!!float 2'.
    let found =
      node.kindDescription == "a number"
      ? "'\(scalar.tag.map { "\($0.written) " } ?? "")\(scalar.text)'" : node.kindDescription
    error(node.position, "\(what) must be a whole number, not \(found)")
    return nil
  }

  /// An integer within `range`: above it is "too large", below it "must be at least".
  /// Messages show the number as written, however large.
  mutating func integer(_ node: YAMLNode, _ what: String, in range: ClosedRange<Int>) -> Int? {
    guard let value = integer(node, what) else { return nil }
    let written = node.scalarText ?? "\(value)"
    if value > range.upperBound {
      error(node.position, "\(what) is too large: \(written) (at most \(range.upperBound))")
    } else if value < range.lowerBound {
      let least = range.lowerBound == 0 ? "0 or more" : "at least \(range.lowerBound)"
      error(node.position, "\(what) must be \(least), got \(written)")
    } else {
      return value
    }
    return nil
  }

  mutating func boolean(_ node: YAMLNode, _ what: String) -> Bool? {
    if case .scalar(let scalar) = node, case .boolean(let value)? = scalar.value {
      return value
    }
    var message = "\(what) must be true or false, not \(node.kindDescription)"
    if let text = node.scalarText, ["yes", "no", "on", "off", "y", "n"].contains(text.lowercased()) {
      message += " (write \(["yes", "on", "y"].contains(text.lowercased()) ? "true" : "false"))"
    }
    error(node.position, message)
    return nil
  }

  mutating func duration(_ node: YAMLNode, _ what: String) -> Duration? {
    guard case .scalar(let scalar) = node, !node.isNull else {
      error(node.position, "\(what) must be a duration, not \(node.kindDescription)")
      return nil
    }
    do {
      return try DurationText.value(of: scalar.text)
    } catch let problem {
      switch problem {
      case .tooLarge:
        error(node.position, "\(what) is too large: \(scalar.text) (at most \(DurationText.maximumText))")
      case .invalid:
        error(
          node.position,
          "invalid duration '\(scalar.text)' for \(what); write e.g. 250ms, 30s, 5m, 1h30m or a number of seconds"
        )
      }
      return nil
    }
  }

  /// The scalar nodes of a list of strings (or of one string, when `allowScalar`).
  mutating func stringNodes(_ node: YAMLNode, _ what: String, allowScalar: Bool) -> [YAMLNode] {
    switch node {
    case .scalar where node.isNull: return []
    case .scalar: if allowScalar { return [node] }
    case .sequence(let items, _, _):
      return items.filter {
        guard case .scalar = $0, !$0.isNull else {
          error($0.position, "items of \(what) must be strings, not \($0.kindDescription)")
          return false
        }
        return true
      }
    case .mapping: break
    }
    error(
      node.position, "\(what) must be a list\(allowScalar ? " or a string" : ""), not \(node.kindDescription)"
    )
    return []
  }

  mutating func stringList(_ node: YAMLNode, _ what: String, allowScalar: Bool) -> [String]? {
    let before = diagnostics.count
    let items = stringNodes(node, what, allowScalar: allowScalar).compactMap {
      withoutNUL($0.scalarText ?? "", at: $0.position, "an item of \(what)")
    }
    return diagnostics.count == before ? items : nil
  }

  /// `text`, unless it holds a NUL character, which is then reported at `position`: the
  /// system ends an argument, a path or an environment entry at the first NUL, so
  /// `run: "before\0after"` would run `before` while the report says otherwise.
  mutating func withoutNUL(_ text: String, at position: YAMLNode.Position, _ what: String) -> String? {
    guard text.utf8.contains(0) else { return text }
    error(
      position,
      "\(what) contains a NUL character (\\0), which would cut it short when passed to the system;"
        + " remove it")
    return nil
  }

  mutating func environment(_ node: YAMLNode, _ what: String) -> [EnvironmentVariable] {
    var result: [EnvironmentVariable] = []
    for entry in entries(of: node, what: what, duplicate: "key") ?? [] {
      let name = MessageText.quoted(entry.key, limit: .max)
      guard withoutNUL(entry.key, at: entry.keyPosition, "the variable name \(name) in \(what)") != nil else {
        continue
      }
      if entry.key.isEmpty || entry.key.contains("=") {
        error(entry.keyPosition, "invalid environment variable name \(name) in \(what)")
        continue
      }
      guard case .scalar(let scalar) = entry.value else {
        error(
          entry.value.position,
          "the value of \(name) in \(what) must be a scalar, not \(entry.value.kindDescription)")
        continue
      }
      let value = entry.value.isNull ? "" : scalar.text
      if withoutNUL(value, at: entry.value.position, "the value of \(name) in \(what)") != nil {
        result.append(EnvironmentVariable(entry.key, value))
      }
    }
    return result
  }
}
