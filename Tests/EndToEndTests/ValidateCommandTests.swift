import Foundation
import Testing

@Suite("batchrun validate")
struct ValidateCommandTests {
  @Test("A valid manifest: exit 0, one ok line on stdout, nothing on stderr")
  func valid() async throws {
    let directory = try TemporaryDirectory()
    try directory.write("ci.yaml", Manifests.diamond)
    try directory.write("one.yaml", Manifests.single)
    let result = try await BatchrunProcess.batchrun(["validate", "ci.yaml", "one.yaml"], in: directory.url)
    #expect(result.exitCode == 0, "\(result)")
    #expect(result.stdout == "ci.yaml: ok (5 jobs)\none.yaml: ok (1 job)\n")
    #expect(result.stderr == "")
  }

  @Test("Diagnostics name the file as the user wrote it")
  func pathAsGiven() async throws {
    let directory = try TemporaryDirectory()
    let absolute = try directory.write("sub/dir/broken.yaml", Manifests.broken)
    let relative = try await BatchrunProcess.batchrun(["validate", "sub/dir/broken.yaml"], in: directory.url)
    #expect(relative.exitCode == 65)
    #expect(relative.stderrLines.first == Manifests.brokenDiagnostics("sub/dir/broken.yaml").first)
    let full = try await BatchrunProcess.batchrun(["validate", absolute])
    #expect(full.exitCode == 65)
    #expect(full.stderrLines.first == Manifests.brokenDiagnostics(absolute).first)
  }

  @Test("Several files at once: each is checked, the good ones reported on stdout")
  func severalFiles() async throws {
    let directory = try TemporaryDirectory()
    try directory.write("a.yaml", Manifests.diamond)
    try directory.write("b.yaml", Manifests.broken)
    try directory.write("c.yaml", Manifests.single)
    try directory.write("d.yaml", "jobs:\n  x:\n    run: x\n    needs: x\n")
    let result = try await BatchrunProcess.batchrun(
      ["validate", "a.yaml", "b.yaml", "c.yaml", "d.yaml"], in: directory.url)
    #expect(result.exitCode == 65, "\(result)")
    #expect(result.stdout == "a.yaml: ok (5 jobs)\nc.yaml: ok (1 job)\n")
    #expect(
      result.stderrLines == Manifests.brokenDiagnostics("b.yaml") + [
        "3 errors", "d.yaml:4:12: error: job 'x' needs itself",
      ])
  }

  @Test("A directory instead of a file: exit 66")
  func directoryGiven() async throws {
    let directory = try TemporaryDirectory()
    let result = try await BatchrunProcess.batchrun(["validate", "."], in: directory.url)
    #expect(result.exitCode == 66, "\(result)")
    #expect(result.stderr == "batchrun: error: cannot read manifest '.': it is a directory\n")
  }

  @Test("Unreadable outranks invalid when both happen: exit 66, both reported")
  func missingAndInvalid() async throws {
    let directory = try TemporaryDirectory()
    try directory.write("broken.yaml", Manifests.broken)
    try directory.write("good.yaml", Manifests.single)
    let result = try await BatchrunProcess.batchrun(
      ["validate", "broken.yaml", "missing.yaml", "good.yaml"], in: directory.url)
    #expect(result.exitCode == 66, "\(result)")
    #expect(result.stdout == "good.yaml: ok (1 job)\n")
    #expect(result.stderr.contains("broken.yaml:4:14: error: "))
    #expect(result.stderr.contains("batchrun: error: cannot read manifest 'missing.yaml'"))
  }

  @Test("Bytes that are not UTF-8: exit 65, at the line and column of the first bad byte")
  func nonUTF8() async throws {
    let directory = try TemporaryDirectory()
    var bytes = Array("jobs:\n  build:\n    run: echo caf".utf8)
    bytes += [0xE9, 0x0A, 0xFF, 0x0A]
    try directory.write("latin1.yaml", bytes: bytes)
    let result = try await BatchrunProcess.batchrun(["validate", "latin1.yaml"], in: directory.url)
    #expect(result.exitCode == 65, "\(result)")
    #expect(
      result.stderr
        == "latin1.yaml:3:18: error: the file is not valid UTF-8 (byte 0xe9 at offset 32); save it as UTF-8\n"
    )
  }

  @Test("A YAML syntax error: exit 65 at its position")
  func syntaxError() async throws {
    let directory = try TemporaryDirectory()
    try directory.write("syntax.yaml", "jobs:\n  build:\n    run: make\n   needs: fetch\n")
    let result = try await BatchrunProcess.batchrun(["validate", "syntax.yaml"], in: directory.url)
    #expect(result.exitCode == 65, "\(result)")
    #expect(
      result.stderr
        == "syntax.yaml:4:4: error: YAML syntax error: did not find expected key while parsing a block mapping\n"
    )
  }

  @Test("--quiet prints nothing for valid manifests")
  func quiet() async throws {
    let directory = try TemporaryDirectory()
    try directory.write("ci.yaml", Manifests.diamond)
    let result = try await BatchrunProcess.batchrun(["validate", "--quiet", "ci.yaml"], in: directory.url)
    #expect(result.exitCode == 0, "\(result)")
    #expect(result.stdout == "")
    #expect(result.stderr == "")
  }

  @Test("No manifest at all is a usage error: exit 64")
  func noArguments() async throws {
    let result = try await BatchrunProcess.batchrun(["validate"])
    #expect(result.exitCode == 64, "\(result)")
    #expect(result.stdout == "")
    #expect(result.stderr.contains("Missing expected argument"))
  }

  @Test("Colour: none off a terminal; --color always forces it, even with NO_COLOR")
  func color() async throws {
    let directory = try TemporaryDirectory()
    try directory.write("broken.yaml", Manifests.broken)
    let auto = try await BatchrunProcess.batchrun(["validate", "broken.yaml"], in: directory.url)
    #expect(auto.exitCode == 65)
    #expect(auto.stderr.contains("broken.yaml:4:14: error"))
    #expect(!auto.stderr.contains("\u{1B}["))
    let always = try await BatchrunProcess.batchrun(
      ["validate", "--color", "always", "broken.yaml"], in: directory.url, environment: ["NO_COLOR": "1"])
    #expect(always.exitCode == 65)
    #expect(always.stderr.contains("\u{1B}["))
    #expect(always.stderr.contains("broken.yaml:4:14:"))
  }

  @Test("Validation writes nothing beside the manifest")
  func writesNothing() async throws {
    let directory = try TemporaryDirectory()
    try directory.write("ci.yaml", Manifests.diamond)
    try directory.write("broken.yaml", Manifests.broken)
    let result = try await BatchrunProcess.batchrun(
      ["validate", "ci.yaml", "broken.yaml"], in: directory.url)
    #expect(result.exitCode == 65, "\(result)")
    #expect(try directory.contents() == ["broken.yaml", "ci.yaml"])
  }

  @Test("A duration too large to hold is a diagnostic, not a crash")
  func hugeDuration() async throws {
    let directory = try TemporaryDirectory()
    try directory.write("huge.yaml", "jobs:\n  build:\n    run: make\n    timeout: 1e300\n")
    let result = try await BatchrunProcess.batchrun(["validate", "huge.yaml"], in: directory.url)
    #expect(result.exitCode == 65, "\(result.exitCode.map(String.init) ?? "signal \(result.signal ?? 0)")")
    #expect(result.stderr.hasPrefix("huge.yaml:4:14: error: "))
  }
}
