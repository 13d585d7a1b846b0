import Foundation
import Testing

/// What every command that reads a manifest does with one it cannot use: `validate`,
/// `graph`, `run --dry-run` (`-n`) and `run` (also with no subcommand) alike.
@Suite("Manifest errors, for every command that reads a manifest")
struct ManifestErrorTests {
  /// The command lines before the manifest's path.
  static let commands: [[String]] = [["validate"], ["graph"], ["-n"], ["run"], []]

  @Test(
    "An invalid manifest: exit 65, every diagnostic sorted, then a count; nothing written",
    arguments: commands)
  func invalid(_ command: [String]) async throws {
    let directory = try TemporaryDirectory()
    try directory.write("broken.yaml", Manifests.broken)
    let result = try await BatchrunProcess.batchrun(command + ["broken.yaml"], in: directory.url)
    #expect(result.exitCode == 65, "\(result)")
    #expect(result.stdout == "")
    #expect(result.stderrLines == Manifests.brokenDiagnostics("broken.yaml") + ["3 errors"])
    #expect(try directory.contents() == ["broken.yaml"])
  }

  @Test("A missing manifest: exit 66 and a plain error", arguments: commands)
  func missing(_ command: [String]) async throws {
    let directory = try TemporaryDirectory()
    let result = try await BatchrunProcess.batchrun(command + ["gone.yaml"], in: directory.url)
    #expect(result.exitCode == 66, "\(result)")
    #expect(result.stdout == "")
    #expect(result.stderr == "batchrun: error: cannot read manifest 'gone.yaml': No such file or directory\n")
    #expect(try directory.contents() == [])
  }

  @Test(
    "An unknown target: exit 65 with a suggestion; nothing run or written",
    arguments: [["graph"], ["-n"], ["run"], []] as [[String]])
  func unknownTarget(_ command: [String]) async throws {
    let directory = try TemporaryDirectory()
    try directory.write("ci.yaml", Manifests.diamond)
    for targets in [["biuld"], ["test", "biuld"]] {
      let result = try await BatchrunProcess.batchrun(command + ["ci.yaml"] + targets, in: directory.url)
      #expect(result.exitCode == 65, "\(targets): \(result)")
      #expect(result.stdout == "")
      #expect(result.stderr == "ci.yaml: error: no job named 'biuld' (did you mean 'build'?)\n")
    }
    #expect(try directory.contents() == ["ci.yaml"])
  }
}
