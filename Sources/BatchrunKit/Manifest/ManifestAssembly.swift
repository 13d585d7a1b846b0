import Glibc

/// A manifest and the manifests it includes, put together into one run: every file
/// decoded in its own directory with its own `shell`, `env`, `dotenv` and `defaults`,
/// then the checks that span files (docs/manifest.md, "include"): duplicate ids, include
/// cycles, pools, and the dependency graph with `matrix` jobs' needs expanded.
struct ManifestAssembly {
  let overrides: [String: String]
  private(set) var diagnostics: [Diagnostic] = []
  /// Every job, included ones after those of the file including them.
  private(set) var jobs: [Job] = []
  private(set) var templates: [String: [String]] = [:]
  private(set) var pools: [String: (depth: Int, location: SourceLocation)] = [:]
  private(set) var secrets: [String] = []
  private var poolUses: [(name: String, location: SourceLocation)] = []
  /// Files read, by real path: where each was included from.
  private var files: [String: SourceLocation?] = [:]
  /// The order files were read in, to sort diagnostics by.
  private var fileRank: [String: Int] = [:]

  init(overrides: [String: String]) {
    self.overrides = overrides
  }

  /// Decodes the file `path` holding `bytes` and what it includes. Returns its document,
  /// or `nil` when it is not a manifest at all (not UTF-8, not YAML).
  mutating func read(
    bytes: [UInt8], path: String, inherited: [String: String] = [:],
    chain: [(real: String, shown: String)] = []
  ) -> ManifestDecoder.Document? {
    fileRank[path] = fileRank[path] ?? fileRank.count
    if chain.isEmpty { files[Self.realPath(path) ?? path] = .some(nil) }
    if let bad = ManifestLoader.firstInvalidUTF8(bytes) {
      diagnostics.append(
        Diagnostic(
          at: ManifestLoader.location(ofByte: bad, in: bytes, file: path),
          "the file is not valid UTF-8 (byte 0x\(String(bytes[bad], radix: 16)) at offset \(bad));"
            + " save it as UTF-8"))
      return nil
    }
    let yaml: YAMLComposer.Document
    do {
      yaml = try YAMLComposer.compose(bytes)
    } catch {
      diagnostics.append(
        Diagnostic(
          at: ManifestLoader.location(error.position, file: path), "YAML syntax error: \(error.message)"))
      return nil
    }
    let directory = ManifestLoader.directory(of: path)
    var decoder = ManifestDecoder(
      file: path, source: bytes, directory: directory, overrides: overrides, inherited: inherited)
    var document = decoder.decode(yaml.root, included: !chain.isEmpty)
    var found = decoder.diagnostics
    if !yaml.tagProblems.isEmpty {
      // A value whose tag is reported (`retries: !!int abc`) gets no second diagnostic.
      let tagged = Set(yaml.tagProblems.map { ManifestLoader.location($0.position, file: path) })
      found.removeAll { $0.location.map(tagged.contains) ?? false }
      found += yaml.tagProblems.map {
        Diagnostic(at: ManifestLoader.location($0.position, file: path), $0.message)
      }
    }
    diagnostics += found
    if !chain.isEmpty {
      // An included manifest's shell, env and dotenv, and directory, are its jobs' own.
      for index in document.jobs.indices {
        document.jobs[index].shell = document.shell ?? Manifest.defaultShell
        document.jobs[index].directory = directory
        if !document.environment.isEmpty {
          document.jobs[index].environment = decoder.merged(
            document.environment, document.jobs[index].environment)
        }
      }
    }
    // Assigned rather than appended when it is the first file: no job is copied.
    if jobs.isEmpty { jobs = document.jobs } else { jobs += document.jobs }
    templates.merge(document.templates) { first, _ in first }
    poolUses += document.poolUses
    for secret in document.secrets where !secrets.contains(secret.name) { secrets.append(secret.name) }
    for pool in document.pools {
      if let first = pools[pool.name] {
        diagnostics.append(
          Diagnostic(at: pool.location, "pool '\(pool.name)' is defined twice (first at \(first.location))"))
      } else {
        pools[pool.name] = (pool.depth, pool.location)
      }
    }
    let real = Self.realPath(path) ?? path
    let chain = chain + [(real, path)]
    for include in document.includes {
      readIncluded(
        include.path, at: include.location, from: path, variables: document.variables, chain: chain)
    }
    return document
  }

  private mutating func readIncluded(
    _ name: String, at location: SourceLocation, from file: String, variables: [String: String],
    chain: [(real: String, shown: String)]
  ) {
    guard !name.isEmpty else {
      return diagnostics.append(Diagnostic(at: location, "an item of 'include' is empty; give a file name"))
    }
    let path = name.hasPrefix("/") ? name : ManifestDecoder.sibling(name, of: file)
    let real = Self.realPath(path) ?? path
    if let loop = chain.firstIndex(where: { $0.real == real }) {
      let cycle = (chain[loop...].map(\.shown) + [chain[loop].shown]).joined(separator: " -> ")
      return diagnostics.append(Diagnostic(at: location, "include cycle: \(cycle)"))
    }
    if let first = files[real] {
      return diagnostics.append(
        Diagnostic(
          at: location,
          "'\(path)' is already included" + (first.map { " (at \($0))" } ?? " (it is the main manifest)")))
    }
    files[real] = location
    let bytes: [UInt8]
    do {
      bytes = try FileBytes.readRegular(path)
    } catch {
      return diagnostics.append(
        Diagnostic(at: location, "cannot read included manifest '\(path)': \(error.why)"))
    }
    _ = read(bytes: bytes, path: path, inherited: variables, chain: chain)
  }

  static func realPath(_ path: String) -> String? {
    guard let resolved = realpath(path, nil) else { return nil }
    defer { free(resolved) }
    return String(cString: resolved)
  }

  /// Runs the checks that span files, and returns every diagnostic, sorted by file and position.
  mutating func finish() -> [Diagnostic] {
    expandTemplateNeeds()
    checkDuplicates()
    for use in poolUses where pools[use.name] == nil {
      let diagnostic = Diagnostic(
        at: use.location,
        "unknown pool '\(use.name)'\(Suggestion.didYouMean(use.name, in: pools.keys.sorted()));"
          + " define it under 'pools', e.g. 'pools: {\(use.name): 1}'")
      if !diagnostics.contains(diagnostic) { diagnostics.append(diagnostic) }
    }
    diagnostics += DependencyGraph.diagnose(jobs)
    let rank = fileRank
    return diagnostics.sorted {
      let l = (
        $0.location.flatMap { rank[$0.file] } ?? Int.max, $0.location?.line ?? .max,
        $0.location?.column ?? .max
      )
      let r = (
        $1.location.flatMap { rank[$0.file] } ?? Int.max, $1.location?.line ?? .max,
        $1.location?.column ?? .max
      )
      return l < r
    }
  }

  /// A need naming a `matrix` job stands for every expansion of it.
  private mutating func expandTemplateNeeds() {
    guard !templates.isEmpty else { return }
    for index in jobs.indices where jobs[index].needs.contains(where: { templates[$0] != nil }) {
      var needs: [String] = []
      var locations: [SourceLocation] = []
      var seen: Set<String> = []
      for (offset, need) in jobs[index].needs.enumerated() {
        let location = jobs[index].needLocations[offset]
        for id in templates[need] ?? [need] where seen.insert(id).inserted {
          needs.append(id)
          locations.append(location)
        }
      }
      jobs[index].needs = needs
      jobs[index].needLocations = locations
    }
  }

  /// The same id twice: across files, or from a matrix.
  private mutating func checkDuplicates() {
    // One file and no matrix: the decoder has reported every duplicate already.
    guard fileRank.count > 1 || !templates.isEmpty else { return }
    var first: [String: Int] = [:]
    first.reserveCapacity(jobs.count)
    // By index: a `Job` is large, and copying 100,000 of them shows in `validate`.
    for index in jobs.indices {
      guard let earlier = first[jobs[index].id] else {
        first[jobs[index].id] = index
        continue
      }
      let job = jobs[index]
      let other = jobs[earlier]
      let place = other.location.map { $0.file == job.location?.file ? $0.lineColumn : $0.description } ?? "?"
      let message: String
      if let template = job.template ?? other.template {
        message =
          "job id '\(job.id)' from the matrix of job '\(template)' collides with another job"
          + " (first defined at \(place))"
      } else {
        // Within one file the decoder has said it already.
        guard other.location?.file != job.location?.file else { continue }
        message = "duplicate job id '\(job.id)' (first defined at \(place))"
      }
      let diagnostic = Diagnostic(at: job.location, message)
      if !diagnostics.contains(diagnostic) { diagnostics.append(diagnostic) }
    }
  }
}
