/// The jobs of a manifest as a directed acyclic graph, by index in manifest order.
///
/// Edges run from a need to its dependent. Build it from a validated manifest; use
/// ``diagnose(_:)`` first on jobs that may name unknown needs or form cycles.
public struct DependencyGraph: Sendable {
  /// The jobs, in manifest order.
  let jobs: [Job]
  /// For each job, the indices of the jobs it needs.
  let needs: [[Int]]
  /// For each job, the indices of the jobs that need it.
  let dependents: [[Int]]
  /// Job index by id.
  let index: [String: Int]

  init(jobs: [Job]) {
    self.jobs = jobs
    var index: [String: Int] = [:]
    index.reserveCapacity(jobs.count)
    for (position, job) in jobs.enumerated() where index[job.id] == nil {
      index[job.id] = position
    }
    var needs = [[Int]](repeating: [], count: jobs.count)
    var dependents = [[Int]](repeating: [], count: jobs.count)
    for (position, job) in jobs.enumerated() {
      for need in job.needs {
        guard let target = index[need], target != position else { continue }
        needs[position].append(target)
        dependents[target].append(position)
      }
    }
    self.index = index
    self.needs = needs
    self.dependents = dependents
  }

  /// Jobs in an order where every job comes after all it needs (Kahn's algorithm,
  /// manifest order among equals); jobs on a cycle are left out.
  public func topologicalOrder() -> [Int] {
    var remaining = needs.map(\.count)
    var order = remaining.indices.filter { remaining[$0] == 0 }
    order.reserveCapacity(jobs.count)
    var next = 0
    while next < order.count {
      for dependent in dependents[order[next]] {
        remaining[dependent] -= 1
        if remaining[dependent] == 0 { order.append(dependent) }
      }
      next += 1
    }
    return order
  }

  /// For each job, the heaviest path from it to the end of the graph, itself included.
  ///
  /// - Parameters:
  ///   - weight: each job's weight; 1 counts jobs.
  ///   - included: the jobs that count (those selected to run); `nil` for all.
  func remainingPath(weight: (Int) -> Double = { _ in 1 }, included: [Bool]? = nil) -> [Double] {
    var result = [Double](repeating: 0, count: jobs.count)
    for job in topologicalOrder().reversed() where included?[job] ?? true {
      result[job] = weight(job) + (dependents[job].lazy.map { result[$0] }.max() ?? 0)
    }
    return result
  }

  /// The jobs `targets` name and everything they need, transitively, in manifest order.
  func closure(of targets: [Int]) -> [Int] {
    var selected = [Bool](repeating: false, count: jobs.count)
    var stack = targets
    while let job = stack.popLast() {
      guard !selected[job] else { continue }
      selected[job] = true
      stack += needs[job]
    }
    return selected.indices.filter { selected[$0] }
  }

  // MARK: - Validation

  /// Unknown needs, self-needs and every dependency cycle among `jobs`.
  static func diagnose(_ jobs: [Job]) -> [Diagnostic] {
    var diagnostics: [Diagnostic] = []
    let graph = DependencyGraph(jobs: jobs)
    for job in jobs {
      for (offset, need) in job.needs.enumerated() {
        let location = offset < job.needLocations.count ? job.needLocations[offset] : job.location
        if need == job.id {
          diagnostics.append(Diagnostic(at: location, "job '\(job.id)' needs itself"))
        } else if graph.index[need] == nil {
          let others = jobs.lazy.map(\.id).filter { $0 != job.id }
          diagnostics.append(
            Diagnostic(
              at: location,
              "job '\(job.id)' needs '\(need)', which is not a job\(Suggestion.didYouMean(need, in: others))"
            ))
        }
      }
    }
    for cycle in graph.cycles() {
      let path = (cycle + [cycle[0]]).map { jobs[$0].id }.joined(separator: " -> ")
      diagnostics.append(Diagnostic(at: jobs[cycle[0]].location, "dependency cycle: \(path)"))
    }
    return diagnostics
  }

  /// One cycle for each strongly connected component that has one, each starting at
  /// the component's first job in manifest order and following `needs`.
  func cycles() -> [[Int]] {
    let sorted = topologicalOrder()
    guard sorted.count < jobs.count else { return [] }
    var isSorted = [Bool](repeating: false, count: jobs.count)
    for job in sorted { isSorted[job] = true }
    let components = stronglyConnectedComponents(among: isSorted.indices.filter { !isSorted[$0] })
    return components.filter { $0.count > 1 }.map { component in
      let members = Set(component)
      let start = component.min()!
      // Breadth-first search along needs, inside the component, back to `start`.
      var parent: [Int: Int] = [:]
      var queue = [start]
      var head = 0
      search: while head < queue.count {
        let job = queue[head]
        head += 1
        for need in needs[job] where members.contains(need) {
          if need == start {
            parent[start] = job
            break search
          }
          if parent[need] == nil {
            parent[need] = job
            queue.append(need)
          }
        }
      }
      var path = [start]
      var job = parent[start]!
      while job != start {
        path.append(job)
        job = parent[job]!
      }
      return [start] + path.dropFirst().reversed()
    }.sorted { $0[0] < $1[0] }
  }

  /// Tarjan's algorithm, iterative so deep graphs cannot overflow the stack.
  func stronglyConnectedComponents(among nodes: [Int]) -> [[Int]] {
    let inScope = Set(nodes)
    var indexOf = [Int: Int]()
    var lowLink = [Int: Int]()
    var onStack = Set<Int>()
    var stack: [Int] = []
    var components: [[Int]] = []
    var counter = 0
    for root in nodes where indexOf[root] == nil {
      var work: [(node: Int, next: Int)] = [(root, 0)]
      indexOf[root] = counter
      lowLink[root] = counter
      counter += 1
      stack.append(root)
      onStack.insert(root)
      while let (node, next) = work.last {
        let edges = needs[node]
        if next < edges.count {
          work[work.count - 1].next += 1
          let target = edges[next]
          guard inScope.contains(target) else { continue }
          if indexOf[target] == nil {
            indexOf[target] = counter
            lowLink[target] = counter
            counter += 1
            stack.append(target)
            onStack.insert(target)
            work.append((target, 0))
          } else if onStack.contains(target) {
            lowLink[node] = min(lowLink[node]!, indexOf[target]!)
          }
          continue
        }
        work.removeLast()
        if let parent = work.last?.node {
          lowLink[parent] = min(lowLink[parent]!, lowLink[node]!)
        }
        if lowLink[node] == indexOf[node] {
          var component: [Int] = []
          while let member = stack.popLast() {
            onStack.remove(member)
            component.append(member)
            if member == node { break }
          }
          components.append(component)
        }
      }
    }
    return components
  }
}
