/// From a job as written to the jobs it stands for: `defaults` applied, a `matrix`
/// expanded, and `${{ }}` references replaced (docs/manifest.md, "matrix" and
/// "Interpolation").
extension ManifestDecoder {
  /// Appends to `jobs` the jobs `draft` stands for: itself, or one per combination of its
  /// matrix, in order.
  mutating func expand(_ draft: Draft, variables: [String: String], into jobs: inout [Job]) {
    guard let matrix = draft.matrix else {
      let scope = Scope(variables: variables, jobID: draft.id, job: draft.id)
      return jobs.append(resolve(draft, id: draft.id, scope: scope, matrix: nil))
    }
    jobs.reserveCapacity(jobs.count + matrix.combinations.count)
    var seen: [String: Int] = [:]
    for (number, combination) in matrix.combinations.enumerated() {
      let id = ([draft.id] + combination.map(Self.idPart)).joined(separator: ".")
      var values: [String: String] = [:]
      for (axis, value) in zip(matrix.axes, combination) { values[axis.name] = value }
      let scope = Scope(
        variables: variables, matrix: values, axes: matrix.axes.map(\.name), jobID: id,
        job: draft.id)
      // Every expansion has the same problems: the first one's are reported.
      let before = diagnostics.count
      let bindings = zip(matrix.axes, combination).map { Job.MatrixValue(axis: $0.name, value: $1) }
      let job = resolve(draft, id: id, scope: scope, matrix: bindings)
      if number > 0 { discardDiagnostics(from: before) }
      if let first = seen[id] {
        error(
          draft.position,
          "the matrix of job '\(draft.id)' gives the id '\(id)' twice (combinations \(first + 1) and"
            + " \(number + 1)); make the values differ in letters, digits, '_', '.' or '-'")
        continue
      }
      seen[id] = number
      checkExpandedIdentifier(id, template: draft)
      jobs.append(job)
    }
  }

  /// A matrix value as part of an id: characters outside `[A-Za-z0-9_.-]` become `_`.
  static func idPart(_ value: String) -> String {
    String(
      String.UnicodeScalarView(
        value.unicodeScalars.map { scalar in
          scalar.isASCII
            && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar)
              || "_.-".unicodeScalars.contains(scalar))
            ? scalar : "_"
        }))
  }

  mutating func checkExpandedIdentifier(_ id: String, template: Draft) {
    if id.utf8.count > JobIdentifier.maximumLength {
      error(
        template.position,
        "the matrix of job '\(template.id)' gives the id '\(id.prefix(40))...', longer than"
          + " \(JobIdentifier.maximumLength) characters")
    } else if let suffix = JobIdentifier.reservedSuffix(of: id) {
      error(
        template.position,
        "the matrix of job '\(template.id)' gives the id '\(id)', whose end '\(suffix)' is reserved for"
          + " retry logs")
    }
  }

  /// The job `draft` becomes with the references in its values replaced.
  mutating func resolve(_ draft: Draft, id: String, scope: Scope, matrix: [Job.MatrixValue]?) -> Job {
    let settings = draft.settings
    let command: Job.Command
    if let run = draft.run {
      command = .shell(interpolate(run, scope))
    } else {
      command = .argv((draft.argv ?? []).map { interpolate($0, scope) })
    }
    var needs: [String] = []
    var needLocations: [SourceLocation] = []
    var seenNeeds: Set<String> = []
    for need in draft.needs {
      let text = interpolate(need, scope)
      if seenNeeds.insert(text).inserted {
        needs.append(text)
        needLocations.append(location(need.position))
      }
    }
    let environment = merged(
      settings.dotenv ?? [],
      settings.environment.map { EnvironmentVariable($0.name, interpolate($0.value, scope)) })
    var policy = RetryPolicy(backoff: settings.retryBackoff ?? 1, maxDelay: settings.retryMaxDelay)
    if let retryOn = settings.retryOn {
      policy.exitCodes = retryOn.codes
      policy.timeouts = retryOn.timeouts
    }
    return Job(
      id: id, description: settings.description.map { interpolate($0, scope) }, command: command,
      needs: needs, needLocations: needLocations, environment: environment,
      cwd: settings.cwd.map { interpolate($0, scope) }, timeout: settings.timeout,
      retries: settings.retries ?? 0, retryDelay: settings.retryDelay ?? .zero,
      allowFailure: settings.allowFailure ?? false, condition: settings.condition ?? .onSuccess,
      location: location(draft.position), matrix: matrix, template: matrix == nil ? nil : draft.id,
      resources: JobResources(
        cpus: settings.cpus ?? 1, memory: settings.memory ?? 0, gpus: settings.gpus ?? 0),
      pool: settings.pool?.text, inputs: (settings.inputs ?? []).map { interpolate($0, scope) },
      outputs: (settings.outputs ?? []).map { interpolate($0, scope) }, retryPolicy: policy)
  }

  mutating func discardDiagnostics(from count: Int) {
    diagnostics.removeSubrange(count...)
  }
}

extension ManifestDecoder.Settings {
  /// Takes from `defaults` every value this one does not set; `env` is merged by name.
  mutating func inherit(_ defaults: Self) {
    if !defaults.environment.isEmpty {
      let names = Set(environment.map(\.name))
      environment = defaults.environment.filter { !names.contains($0.name) } + environment
    }
    description = description ?? defaults.description
    cwd = cwd ?? defaults.cwd
    timeout = timeout ?? defaults.timeout
    retries = retries ?? defaults.retries
    retryDelay = retryDelay ?? defaults.retryDelay
    allowFailure = allowFailure ?? defaults.allowFailure
    condition = condition ?? defaults.condition
    retryBackoff = retryBackoff ?? defaults.retryBackoff
    retryMaxDelay = retryMaxDelay ?? defaults.retryMaxDelay
    retryOn = retryOn ?? defaults.retryOn
    cpus = cpus ?? defaults.cpus
    memory = memory ?? defaults.memory
    gpus = gpus ?? defaults.gpus
    pool = pool ?? defaults.pool
    inputs = inputs ?? defaults.inputs
    outputs = outputs ?? defaults.outputs
    dotenv = dotenv ?? defaults.dotenv
  }
}
