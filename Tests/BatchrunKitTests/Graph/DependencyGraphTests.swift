@testable import BatchrunKit
import Testing

/// fetch -> build -> test, fetch -> docs -> test, and lint on its own.
private let diamond = makeJobs([
  "fetch": [], "build": ["fetch"], "docs": ["fetch"], "test": ["build", "docs"], "lint": [],
])

/// Whether every job in `order` comes after all it needs, and every job is there once.
private func isTopological(_ order: [Int], _ graph: DependencyGraph) -> Bool {
  var position = [Int: Int]()
  for (offset, job) in order.enumerated() { position[job] = offset }
  guard position.count == graph.jobs.count, order.count == graph.jobs.count else { return false }
  return graph.needs.indices.allSatisfy { job in
    graph.needs[job].allSatisfy { position[$0]! < position[job]! }
  }
}

@Suite("DependencyGraph")
struct DependencyGraphTests {
  @Test("needs and dependents are indices in manifest order; edges run need -> dependent")
  func edges() {
    let graph = DependencyGraph(jobs: diamond)
    #expect(graph.needs == [[], [0], [0], [1, 2], []])
    #expect(graph.dependents == [[1, 2], [3], [3], [], []])
    #expect(graph.index == ["fetch": 0, "build": 1, "docs": 2, "test": 3, "lint": 4])
  }

  @Test("Unknown needs and self-needs make no edge")
  func danglingNeeds() {
    let graph = DependencyGraph(jobs: makeJobs(["a": ["a", "ghost"], "b": ["a"]]))
    #expect(graph.needs == [[], [0]])
    #expect(graph.dependents == [[1], []])
  }

  @Test("Topological order: needs first, manifest order among ready jobs")
  func topologicalOrder() {
    let graph = DependencyGraph(jobs: diamond)
    let order = graph.topologicalOrder()
    #expect(order == [0, 4, 1, 2, 3])
    #expect(isTopological(order, graph))
  }

  @Test("Topological order of jobs listed after what needs them")
  func topologicalOrderBackwards() {
    let graph = DependencyGraph(jobs: makeJobs(["deploy": ["package"], "package": ["build"], "build": []]))
    #expect(graph.topologicalOrder() == [2, 1, 0])
  }

  @Test("Jobs on a cycle, and what needs them, are left out of the order")
  func topologicalOrderWithCycle() {
    let graph = DependencyGraph(jobs: makeJobs(["a": ["b"], "b": ["a"], "c": [], "d": ["a"]]))
    #expect(graph.topologicalOrder() == [2])
  }

  @Test("Remaining path counts jobs to the end of the graph, the job included")
  func remainingPath() {
    let graph = DependencyGraph(jobs: diamond)
    #expect(graph.remainingPath() == [3, 2, 2, 1, 1])
  }

  @Test("Remaining path with weights takes the heaviest way")
  func weightedRemainingPath() {
    let graph = DependencyGraph(jobs: diamond)
    let weights: [Double] = [1, 10, 2, 5, 7]
    #expect(graph.remainingPath { weights[$0] } == [16, 15, 7, 5, 7])
  }

  @Test(
    "Closure of targets: the targets and all they need, in manifest order",
    arguments: [
      ([3], [0, 1, 2, 3]), ([1], [0, 1]), ([4], [4]), ([4, 2], [0, 2, 4]), ([], []),
      ([0, 3, 3], [0, 1, 2, 3]),
    ])
  func closure(_ targets: [Int], _ expected: [Int]) {
    #expect(DependencyGraph(jobs: diamond).closure(of: targets) == expected)
  }

  @Test("A valid graph has no diagnostics")
  func diagnoseValid() {
    #expect(DependencyGraph.diagnose(diamond).isEmpty)
  }

  @Test("Diagnose: unknown needs with a suggestion, self-needs, cycles with their path")
  func diagnoseProblems() {
    let jobs = makeJobs([
      "build": ["biuld"], "builds": ["biuld"], "test": ["test", "build"], "a": ["b"], "b": ["c"], "c": ["a"],
      "deploy": ["nothing-like-it"],
    ])
    let messages = DependencyGraph.diagnose(jobs).map(\.message)
    #expect(
      messages == [
        // A job is never suggested as its own need ('builds' is too far from 'biuld').
        "job 'build' needs 'biuld', which is not a job",
        "job 'builds' needs 'biuld', which is not a job (did you mean 'build'?)",
        "job 'test' needs itself",
        "job 'deploy' needs 'nothing-like-it', which is not a job",
        "dependency cycle: a -> b -> c -> a",
      ])
  }

  @Test("Every separate cycle is reported once, starting at its first job in manifest order")
  func severalCycles() {
    let jobs = makeJobs([
      "p": ["q"], "q": ["p"], "free": [], "x": ["z"], "y": ["x"], "z": ["y"], "after": ["x"],
    ])
    let messages = DependencyGraph.diagnose(jobs).map(\.message)
    #expect(messages == ["dependency cycle: p -> q -> p", "dependency cycle: x -> z -> y -> x"])
  }

  @Test("A cycle inside a larger knot is still reported as one real cycle")
  func knot() {
    // a needs b and c; b needs a; c needs a: one component, two cycles through a.
    let jobs = makeJobs(["a": ["b", "c"], "b": ["a"], "c": ["a"]])
    let messages = DependencyGraph.diagnose(jobs).map(\.message)
    #expect(messages.count == 1)
    #expect(messages == ["dependency cycle: a -> b -> a"])
  }

  @Test("A long chain does not overflow the stack when checked for cycles")
  func longChainCycle() {
    let count = 50_000
    var jobs = (0..<count).map {
      Job(id: "j\($0)", command: .shell("x"), needs: $0 == 0 ? [] : ["j\($0 - 1)"])
    }
    jobs[0].needs = ["j\(count - 1)"]
    let diagnostics = DependencyGraph.diagnose(jobs)
    #expect(diagnostics.count == 1)
    #expect(
      diagnostics.first?.message.hasPrefix("dependency cycle: j0 -> j\(count - 1) -> j\(count - 2) -> ")
        == true)
    #expect(diagnostics.first?.message.hasSuffix(" -> j1 -> j0") == true)
  }
}
