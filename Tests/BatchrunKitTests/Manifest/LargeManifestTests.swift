@testable import BatchrunKit
import Foundation
import Testing

/// A layered DAG written as a manifest: `layers` layers of `width` jobs, each job after
/// the first layer needing three jobs of the layer before.
private struct LayeredManifest {
  var layers = 100
  var width = 100
  /// A need to write in place of the first one of job `jobNumber`, if any.
  var injected: (jobNumber: Int, need: String)?

  var count: Int { layers * width }

  static func id(_ number: Int) -> String { "job\(number)" }

  /// The needs of job `number`.
  func needs(of number: Int) -> [String] {
    let layer = number / width
    guard layer > 0 else { return [] }
    let previous = (layer - 1) * width
    let position = number % width
    let picks = [position, (position * 7 + 3) % width, (position * 13 + 11) % width]
    var needs: [String] = []
    for pick in picks where !needs.contains(Self.id(previous + pick)) {
      needs.append(Self.id(previous + pick))
    }
    return needs
  }

  /// The manifest text, and the line and column where the injected need is written.
  func render() -> (text: String, injectedAt: (line: Int, column: Int)?) {
    var text = "name: layered\nconcurrency: 8\njobs:\n"
    var line = 4
    var injectedAt: (Int, Int)?
    for number in 0..<count {
      text += "  \(Self.id(number)):\n    run: echo \(number)\n"
      line += 2
      var needs = needs(of: number)
      if let injected, injected.jobNumber == number {
        needs = [injected.need] + needs.dropFirst()
        injectedAt = (line, "    needs: [".count + 1)
      }
      if !needs.isEmpty {
        text += "    needs: [\(needs.joined(separator: ", "))]\n"
        line += 1
      }
    }
    return (text, injectedAt)
  }
}

@Suite("Large manifests")
struct LargeManifestTests {
  @Test("A 10,000-job layered DAG loads, and its topological order is correct")
  func tenThousandJobs() throws {
    let shape = LayeredManifest()
    let directory = try TemporaryFiles()
    let path = try directory.write("layered.yaml", shape.render().text)
    let manifest = try ManifestLoader.load(path: path)
    #expect(manifest.name == "layered")
    #expect(manifest.jobs.count == 10_000)
    #expect(manifest.jobs.first?.id == "job0")
    #expect(manifest.jobs.last?.id == "job9999")
    #expect(manifest.jobs[5_050].needs == shape.needs(of: 5_050))

    let graph = DependencyGraph(jobs: manifest.jobs)
    let order = graph.topologicalOrder()
    #expect(order.count == 10_000)
    #expect(Set(order).count == 10_000)
    var position = [Int](repeating: -1, count: order.count)
    for (offset, job) in order.enumerated() { position[job] = offset }
    var violations = 0
    for job in graph.jobs.indices {
      for need in graph.needs[job] where position[need] >= position[job] { violations += 1 }
    }
    #expect(violations == 0)
    #expect(graph.needs.map(\.count).reduce(0, +) > 20_000)

    let plan = try Plan(manifest: manifest, targets: ["job9999"])
    #expect(plan.selected.last == 9_999)
    let first = try #require(plan.selected.first)
    #expect(first < 100, "a job of the first layer is selected")
    #expect(plan.priority[first] == 100, "the longest path runs through every layer")
    #expect(plan.waves(concurrency: 10_000).count == 100)
  }

  @Test("An unknown need among 10,000 jobs is found, at its position, with a suggestion")
  func unknownNeedAmongMany() throws {
    let shape = LayeredManifest(injected: (jobNumber: 7_777, need: "jbo7677"))
    let (text, injectedAt) = shape.render()
    let directory = try TemporaryFiles()
    let path = try directory.write("broken.yaml", text)
    let error = #expect(throws: ManifestError.self) { try ManifestLoader.load(path: path) }
    guard case .invalid(let diagnostics) = error else {
      Issue.record("expected .invalid, got \(String(describing: error))")
      return
    }
    let at = try #require(injectedAt)
    #expect(
      diagnostics.map(\.description) == [
        "\(path):\(at.line):\(at.column): error: job 'job7777' needs 'jbo7677', which is not a job"
          + " (did you mean 'job7677'?)"
      ])
  }
}

/// A temporary directory for tests that need real files; removed when released.
final class TemporaryFiles: Sendable {
  let url: URL

  init() throws {
    url = FileManager.default.temporaryDirectory.appendingPathComponent("batchrun-kit-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  }

  deinit {
    try? FileManager.default.removeItem(at: url)
  }

  /// Writes `text` to `name` in the directory and returns its path.
  func write(_ name: String, _ text: String) throws -> String {
    let file = url.appendingPathComponent(name)
    try Data(text.utf8).write(to: file)
    return file.path
  }
}
