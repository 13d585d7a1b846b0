import Foundation
import Testing

@Suite("batchrun graph")
struct GraphCommandTests {
  static let dot = """
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

    """

  @Test("dot, the default format")
  func dot() async throws {
    let directory = try TemporaryDirectory()
    try directory.write("ci.yaml", Manifests.diamond)
    for arguments in [["graph", "ci.yaml"], ["graph", "ci.yaml", "--format", "dot"]] {
      let result = try await BatchrunProcess.batchrun(arguments, in: directory.url)
      #expect(result.exitCode == 0, "\(result)")
      #expect(result.stdout == Self.dot)
      #expect(result.stderr == "")
    }
  }

  @Test("mermaid")
  func mermaid() async throws {
    let directory = try TemporaryDirectory()
    try directory.write("ci.yaml", Manifests.diamond)
    let result = try await BatchrunProcess.batchrun(
      ["graph", "ci.yaml", "--format", "mermaid"], in: directory.url)
    #expect(result.exitCode == 0, "\(result)")
    #expect(
      result.stdout == """
        flowchart LR
          j0["fetch"]
          j1["build"]
          j2["docs"]
          j3["test"]
          j4["lint"]
          j0 --> j1
          j0 --> j2
          j1 --> j3
          j2 --> j3

        """)
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

  @Test("Targets narrow the graph to them and what they need")
  func targets() async throws {
    let directory = try TemporaryDirectory()
    try directory.write("ci.yaml", Manifests.diamond)
    let result = try await BatchrunProcess.batchrun(
      ["graph", "ci.yaml", "build", "--format", "dot"], in: directory.url)
    #expect(result.exitCode == 0, "\(result)")
    #expect(
      result.stdout == """
        digraph "diamond" {
          rankdir=LR;
          "fetch";
          "build";
          "fetch" -> "build";
        }

        """)
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
