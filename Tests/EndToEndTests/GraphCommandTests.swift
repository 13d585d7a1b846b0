import BatchrunKit
import Foundation
import Testing

@Suite("batchrun graph")
struct GraphCommandTests {
  /// The graph as the library renders it; the exact texts are pinned by the unit tests
  /// (`RenderingTests`), so these check what the command line adds: the default format,
  /// `--format`, targets, and nothing else on stdout or stderr.
  static func rendered(_ format: GraphRenderer.Format, targets: [String] = []) throws -> String {
    let manifest = try ManifestLoader.load(bytes: Array(Manifests.diamond.utf8), path: "/tmp/ci.yaml")
    return GraphRenderer.render(try Plan(manifest: manifest, targets: targets), as: format)
  }

  @Test(
    "Each format prints what the renderer renders; dot is the default; targets narrow the graph",
    arguments: [
      ([], GraphRenderer.Format.dot, [String]()), (["--format", "dot"], .dot, []),
      (["--format", "mermaid"], .mermaid, []), (["--format", "json"], .json, []),
      (["build", "--format", "dot"], .dot, ["build"]),
    ])
  func formats(_ arguments: [String], _ format: GraphRenderer.Format, _ targets: [String]) async throws {
    let directory = try TemporaryDirectory()
    try directory.write("ci.yaml", Manifests.diamond)
    let result = try await BatchrunProcess.batchrun(["graph", "ci.yaml"] + arguments, in: directory.url)
    #expect(result.exitCode == 0, "\(result)")
    #expect(result.stdout == (try Self.rendered(format, targets: targets)))
    #expect(result.stderr == "")
  }

  @Test("json parses, and its edges run from a need to its dependent")
  func json() async throws {
    let directory = try TemporaryDirectory()
    try directory.write("ci.yaml", Manifests.diamond)
    let result = try await BatchrunProcess.batchrun(
      ["graph", "ci.yaml", "--format", "json"], in: directory.url)
    #expect(result.exitCode == 0, "\(result)")
    let object = try #require(
      try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    #expect(object["name"] as? String == "diamond")
    let jobs = try #require(object["jobs"] as? [[String: Any]])
    #expect(jobs.compactMap { $0["id"] as? String } == ["fetch", "build", "docs", "test", "lint"])
    let edges = try #require(object["edges"] as? [[String: String]])
    let pairs = Set(edges.map { "\($0["from"] ?? "?") -> \($0["to"] ?? "?")" })
    #expect(pairs == ["fetch -> build", "fetch -> docs", "build -> test", "docs -> test"])
    #expect(edges.count == 4)
  }

  @Test("An unknown format is a usage error: exit 64")
  func unknownFormat() async throws {
    let directory = try TemporaryDirectory()
    try directory.write("ci.yaml", Manifests.diamond)
    let result = try await BatchrunProcess.batchrun(
      ["graph", "ci.yaml", "--format", "svg"], in: directory.url)
    #expect(result.exitCode == 64, "\(result)")
    #expect(result.stdout == "")
  }

  @Test("An invalid manifest: exit 65, diagnostics, no graph")
  func invalidManifest() async throws {
    let directory = try TemporaryDirectory()
    try directory.write("broken.yaml", Manifests.broken)
    let result = try await BatchrunProcess.batchrun(["graph", "broken.yaml"], in: directory.url)
    #expect(result.exitCode == 65, "\(result)")
    #expect(result.stdout == "")
    #expect(result.stderrLines == Manifests.brokenDiagnostics("broken.yaml") + ["3 errors"])
  }

  @Test("An unknown target: exit 65 with a suggestion")
  func unknownTarget() async throws {
    let directory = try TemporaryDirectory()
    try directory.write("ci.yaml", Manifests.diamond)
    let result = try await BatchrunProcess.batchrun(["graph", "ci.yaml", "tset"], in: directory.url)
    #expect(result.exitCode == 65, "\(result)")
    #expect(result.stdout == "")
    #expect(result.stderr == "ci.yaml: error: no job named 'tset' (did you mean 'test'?)\n")
  }

  @Test("A missing manifest: exit 66")
  func missing() async throws {
    let directory = try TemporaryDirectory()
    let result = try await BatchrunProcess.batchrun(["graph", "nope.yaml"], in: directory.url)
    #expect(result.exitCode == 66, "\(result)")
    #expect(result.stderr == "batchrun: error: cannot read manifest 'nope.yaml': No such file or directory\n")
  }
}
