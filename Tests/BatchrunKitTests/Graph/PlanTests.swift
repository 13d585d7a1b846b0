@testable import BatchrunKit
import Foundation
import Testing

/// a and e stand alone; b -> c -> d is the critical path.
private let chain = makeManifest(
  makeJobs(["a": [], "b": [], "c": ["b"], "d": ["c"], "e": []]), name: "chain")

private func ids(_ waves: [[Int]], _ plan: Plan) -> [[String]] {
  waves.map { $0.map { plan.graph.jobs[$0].id } }
}

@Suite("Plan")
struct PlanTests {
  @Test("No targets selects every job")
  func selectsAll() throws {
    let plan = try Plan(manifest: chain)
    #expect(plan.selected == [0, 1, 2, 3, 4])
    #expect(plan.priority == [1, 3, 2, 1, 1])
  }

  @Test(
    "Targets select themselves and what they need, transitively",
    arguments: [
      (["d"], ["b", "c", "d"]), (["c"], ["b", "c"]), (["a", "e"], ["a", "e"]),
      (["e", "c", "c"], ["b", "c", "e"]),
    ])
  func selectsClosure(_ targets: [String], _ expected: [String]) throws {
    let plan = try Plan(manifest: chain, targets: targets)
    #expect(plan.selected.map { chain.jobs[$0].id } == expected)
  }

  @Test("An unknown target is a diagnostic with a suggestion, exit 65")
  func unknownTarget() throws {
    let error = #expect(throws: ManifestError.self) {
      try Plan(manifest: makeManifest(diamondJobs, name: "ci"), targets: ["biuld", "test", "zzzzzz"])
    }
    guard case .invalid(let diagnostics) = error else {
      Issue.record("expected .invalid, got \(String(describing: error))")
      return
    }
    #expect(error?.exitCode == 65)
    #expect(
      diagnostics.map(\.description) == [
        "ci.yaml: error: no job named 'biuld' (did you mean 'build'?)",
        "ci.yaml: error: no job named 'zzzzzz'",
      ])
    #expect(diagnostics.allSatisfy { $0.location == nil && $0.file == "ci.yaml" })
  }

  @Test("Critical path first, then manifest order")
  func startsBefore() throws {
    let plan = try Plan(manifest: chain)
    #expect(plan.startsBefore(1, 0))
    #expect(!plan.startsBefore(0, 1))
    #expect(plan.startsBefore(0, 4), "equal priority: manifest order")
    #expect(!plan.startsBefore(4, 0))
    #expect(plan.startsBefore(2, 0))
  }

  @Test(
    "Waves at -j 1, 2 and many: critical path first, ties in manifest order",
    arguments: [
      (1, [["b"], ["c"], ["a"], ["d"], ["e"]]),
      (2, [["b", "a"], ["c", "e"], ["d"]]),
      (3, [["b", "a", "e"], ["c"], ["d"]]),
      (64, [["b", "a", "e"], ["c"], ["d"]]),
    ])
  func waves(_ concurrency: Int, _ expected: [[String]]) throws {
    let plan = try Plan(manifest: chain)
    #expect(ids(plan.waves(concurrency: concurrency), plan) == expected)
  }

  @Test("Waves of a diamond at -j 1, 2 and 8")
  func diamondWaves() throws {
    let plan = try Plan(manifest: makeManifest(diamondJobs))
    #expect(ids(plan.waves(concurrency: 1), plan) == [["fetch"], ["build"], ["docs"], ["test"], ["lint"]])
    #expect(ids(plan.waves(concurrency: 2), plan) == [["fetch", "lint"], ["build", "docs"], ["test"]])
    #expect(ids(plan.waves(concurrency: 8), plan) == [["fetch", "lint"], ["build", "docs"], ["test"]])
  }

  @Test("Waves cover only the selected jobs")
  func wavesOfSelection() throws {
    let plan = try Plan(manifest: chain, targets: ["c", "e"])
    #expect(ids(plan.waves(concurrency: 4), plan) == [["b", "e"], ["c"]])
  }

  @Test("With targets, priority counts only what will run")
  func priorityOfSelection() throws {
    // x and y are selected; z and w (which need y) are not and will not run.
    let manifest = makeManifest(makeJobs(["x": [], "y": [], "z": ["y"], "w": ["z"]]))
    let plan = try Plan(manifest: manifest, targets: ["x", "y"])
    #expect(ids(plan.waves(concurrency: 1), plan) == [["x"], ["y"]])
  }

  @Test("A weight (e.g. a previous duration) changes the critical path")
  func weighted() throws {
    let durations: [String: Double] = ["a": 100, "b": 1, "c": 1, "d": 1, "e": 1]
    let plan = try Plan(manifest: chain) { durations[$0.id]! }
    #expect(plan.priority == [100, 3, 2, 1, 1])
    #expect(ids(plan.waves(concurrency: 1), plan) == [["a"], ["b"], ["c"], ["d"], ["e"]])
  }

  @Test("The ready queue pops by priority, then manifest order")
  func readyQueue() throws {
    let plan = try Plan(manifest: chain)
    var queue = ReadyQueue(plan: plan)
    for job in [4, 3, 0, 2, 1] { queue.push(job) }
    #expect(queue.count == 5)
    var popped: [Int] = []
    while let job = queue.pop() { popped.append(job) }
    #expect(popped == [1, 2, 0, 3, 4])
    #expect(queue.isEmpty)
  }
}

/// fetch -> build -> test, fetch -> docs -> test, and lint on its own.
let diamondJobs = makeJobs([
  "fetch": [], "build": ["fetch"], "docs": ["fetch"], "test": ["build", "docs"], "lint": [],
])

@Suite("GraphRenderer and PlanPrinter")
struct RenderingTests {
  @Test("dot: every selected job, edges need -> dependent")
  func dot() throws {
    let plan = try Plan(manifest: makeManifest(diamondJobs, name: "diamond"))
    #expect(
      GraphRenderer.render(plan, as: .dot) == """
        digraph "diamond" {
          rankdir=LR;
          "fetch";
          "build";
          "docs";
          "test";
          "lint";
          "fetch" -> "build";
          "fetch" -> "docs";
          "build" -> "test";
          "docs" -> "test";
        }

        """)
  }

  @Test("mermaid: numbered nodes labelled with ids")
  func mermaid() throws {
    let plan = try Plan(manifest: makeManifest(diamondJobs, name: "diamond"), targets: ["build"])
    #expect(
      GraphRenderer.render(plan, as: .mermaid) == """
        flowchart LR
          j0["fetch"]
          j1["build"]
          j0 --> j1

        """)
  }

  @Test("json: parses, and its edges run from a need to its dependent")
  func json() throws {
    let plan = try Plan(manifest: makeManifest(diamondJobs, name: "diamond"))
    let text = GraphRenderer.render(plan, as: .json)
    let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    #expect(object["name"] as? String == "diamond")
    let jobs = try #require(object["jobs"] as? [[String: Any]])
    #expect(jobs.compactMap { $0["id"] as? String } == ["fetch", "build", "docs", "test", "lint"])
    #expect(
      jobs.map { $0["needs"] as? [String] ?? ["?"] } == [[], ["fetch"], ["fetch"], ["build", "docs"], []])
    let edges = try #require(object["edges"] as? [[String: String]])
    #expect(
      edges.map { "\($0["from"] ?? "?") -> \($0["to"] ?? "?")" } == [
        "fetch -> build", "fetch -> docs", "build -> test", "docs -> test",
      ])
  }

  @Test("dot of targets: only them and what they need")
  func dotOfTargets() throws {
    let plan = try Plan(manifest: makeManifest(diamondJobs, name: "diamond"), targets: ["build"])
    #expect(
      GraphRenderer.render(plan, as: .dot) == """
        digraph "diamond" {
          rankdir=LR;
          "fetch";
          "build";
          "fetch" -> "build";
        }

        """)
  }

  @Test("Ids that need quoting in dot are quoted")
  func dotQuoting() throws {
    let plan = try Plan(manifest: makeManifest(makeJobs(["a.b-c": []]), name: "say \"hi\""))
    #expect(
      GraphRenderer.render(plan, as: .dot).hasPrefix(
        "digraph \"say \\\"hi\\\"\" {\n  rankdir=LR;\n  \"a.b-c\";\n"))
  }

  @Test("Dry run lists waves with each job's command line")
  func dryRun() throws {
    var jobs = diamondJobs
    jobs[2].command = .argv(["make", "docs", "with space", "it's"])
    jobs[3].command = .shell("make test\nmake check\n")
    let plan = try Plan(manifest: makeManifest(jobs, name: "diamond"))
    #expect(
      PlanPrinter.dryRun(plan, concurrency: 2) == """
        dry run of 'diamond': 5 jobs in 3 waves at -j 2; nothing is run
        wave 1:
          fetch  echo fetch
          lint   echo lint
        wave 2:
          build  echo build
          docs   make docs 'with space' 'it'\\''s'
        wave 3:
          test   make test; make check

        """)
  }

  @Test("Dry run of one job says 'job' and 'wave'")
  func dryRunSingular() throws {
    let plan = try Plan(manifest: makeManifest(makeJobs(["only": []]), name: "one"))
    #expect(
      PlanPrinter.dryRun(plan, concurrency: 4)
        == "dry run of 'one': 1 job in 1 wave at -j 4; nothing is run\nwave 1:\n  only  echo only\n")
  }
}
