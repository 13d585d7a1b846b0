@testable import BatchrunKit
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

  @Test("An unknown format is a usage error: exit 64")
  func unknownFormat() async throws {
    let directory = try TemporaryDirectory()
    try directory.write("ci.yaml", Manifests.diamond)
    let result = try await BatchrunProcess.batchrun(
      ["graph", "ci.yaml", "--format", "svg"], in: directory.url)
    #expect(result.exitCode == 64, "\(result)")
    #expect(result.stdout == "")
  }
}
