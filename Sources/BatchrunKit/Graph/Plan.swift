/// What a run will do: the selected jobs of a manifest and the order to prefer among ready ones.
public struct Plan: Sendable {
  public let manifest: Manifest
  public let graph: DependencyGraph
  /// Indices of the selected jobs (the targets and all they need), in manifest order:
  /// every need of a selected job is selected too.
  let selected: [Int]
  /// Whether each job of the manifest is selected, by index.
  let isSelected: [Bool]
  /// Per job: the longest remaining path to the end of the graph; higher starts first.
  public let priority: [Double]

  /// Plans `targets` (job ids; empty for every job), weighting each job by `weight`
  /// (a previous duration, say), or by 1 to count jobs.
  ///
  /// - Throws: a diagnostic per unknown target, with a suggestion.
  public init(
    manifest: Manifest, targets: [String] = [], weight: ((Job) -> Double)? = nil
  ) throws(ManifestError) {
    let graph = DependencyGraph(jobs: manifest.jobs)
    var targetIndices: [Int] = []
    var diagnostics: [Diagnostic] = []
    for target in targets {
      if let expansions = manifest.templates[target] {
        // A `matrix` job stands for every expansion of it.
        targetIndices += expansions.compactMap { graph.index[$0] }
      } else if let index = graph.index[target] {
        targetIndices.append(index)
      } else {
        diagnostics.append(
          Diagnostic(
            at: nil, file: manifest.path,
            "no job named '\(target)'\(Suggestion.didYouMean(target, in: manifest.jobs.map(\.id)))"))
      }
    }
    guard diagnostics.isEmpty else { throw .invalid(diagnostics) }
    self.manifest = manifest
    self.graph = graph
    let selected = targets.isEmpty ? Array(manifest.jobs.indices) : graph.closure(of: targetIndices)
    var isSelected = [Bool](repeating: false, count: manifest.jobs.count)
    for job in selected { isSelected[job] = true }
    let jobs = manifest.jobs
    self.selected = selected
    self.isSelected = isSelected
    self.priority = graph.remainingPath(weight: { weight?(jobs[$0]) ?? 1 }, included: isSelected)
  }

  /// Whether ready job `a` should start before ready job `b`: critical path first, then manifest order.
  func startsBefore(_ a: Int, _ b: Int) -> Bool {
    priority[a] != priority[b] ? priority[a] > priority[b] : a < b
  }

  /// The start order at `concurrency` if every job took the same time, in waves: each
  /// wave is what starts together once the previous wave has finished. A job starts in a
  /// wave only if it fits beside the others, as the scheduler decides (cpus within
  /// `concurrency`, memory within `memory`, its pool's depth, free ids of `gpus`, the
  /// manifest's by default).
  public func waves(concurrency: Int, memory: Int? = nil, gpus: [String]? = nil) -> [[Int]] {
    var remaining = graph.needs.map(\.count)
    var ready = ReadyQueue(plan: self)
    for job in selected where remaining[job] == 0 { ready.push(job) }
    var waves: [[Int]] = []
    let budget = ResourceBudget(
      cpus: concurrency, memory: memory, pools: manifest.pools, gpuIDs: gpus ?? manifest.gpus)
    while !ready.isEmpty {
      var wave: [Int] = []
      var waiting: [Int] = []
      var running = budget
      while wave.count < concurrency, let job = ready.pop() {
        if running.fits(graph.jobs[job]) {
          _ = running.take(graph.jobs[job])
          wave.append(job)
        } else {
          waiting.append(job)
        }
      }
      for job in waiting { ready.push(job) }
      for job in wave {
        for dependent in graph.dependents[job] where isSelected[dependent] {
          remaining[dependent] -= 1
          if remaining[dependent] == 0 { ready.push(dependent) }
        }
      }
      waves.append(wave)
    }
    return waves
  }
}
