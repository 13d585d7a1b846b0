@testable import BatchrunKit
import Foundation
import Testing

@Suite("batchrun run --dry-run and the command line")
struct DryRunTests {
  @Test("--dry-run prints the waves, critical path first, and creates no file at all")
  func dryRun() async throws {
    let directory = try TemporaryDirectory()
    try directory.write("ci.yaml", Manifests.diamond)
    for arguments in [["-n", "-j", "2", "ci.yaml"], ["run", "--dry-run", "--jobs", "2", "ci.yaml"]] {
      let result = try await BatchrunProcess.batchrun(arguments, in: directory.url)
      #expect(result.exitCode == 0, "\(result)")
      #expect(
        result.stdout == """
          dry run of 'diamond': 5 jobs in 3 waves at -j 2; nothing is run
          wave 1:
            fetch  curl -O data
            lint   swiftlint
          wave 2:
            build  make
            docs   make docs
          wave 3:
            test   make test

          """)
      #expect(result.stderr == "")
    }
    #expect(try directory.contents() == ["ci.yaml"], "no .batchrun state directory, no logs")
  }

  @Test("-j 1 starts one job per wave, in priority order")
  func oneAtATime() async throws {
    let directory = try TemporaryDirectory()
    try directory.write("ci.yaml", Manifests.diamond)
    let result = try await BatchrunProcess.batchrun(["-n", "-j", "1", "ci.yaml"], in: directory.url)
    #expect(result.exitCode == 0, "\(result)")
    #expect(result.stdoutLines.first == "dry run of 'diamond': 5 jobs in 5 waves at -j 1; nothing is run")
    #expect(
      result.stdoutLines.filter { $0.hasPrefix("  ") }.map { $0.split(separator: " ").first.map(String.init) }
        == ["fetch", "build", "docs", "test", "lint"])
  }

  @Test("Without -j the manifest's concurrency applies")
  func manifestConcurrency() async throws {
    let directory = try TemporaryDirectory()
    try directory.write("ci.yaml", "concurrency: 3\n" + Manifests.diamond)
    let result = try await BatchrunProcess.batchrun(["-n", "ci.yaml"], in: directory.url)
    #expect(result.exitCode == 0, "\(result)")
    #expect(result.stdoutLines.first == "dry run of 'diamond': 5 jobs in 3 waves at -j 3; nothing is run")
    let overridden = try await BatchrunProcess.batchrun(["-n", "-j", "8", "ci.yaml"], in: directory.url)
    #expect(overridden.stdoutLines.first == "dry run of 'diamond': 5 jobs in 3 waves at -j 8; nothing is run")
  }

  @Test("Targets: `batchrun -n M build` selects build and its needs only")
  func targetSelection() async throws {
    let directory = try TemporaryDirectory()
    try directory.write("ci.yaml", Manifests.diamond)
    let result = try await BatchrunProcess.batchrun(["-n", "ci.yaml", "build"], in: directory.url)
    #expect(result.exitCode == 0, "\(result)")
    #expect(result.stdoutLines.first?.hasPrefix("dry run of 'diamond': 2 jobs in 2 waves at -j ") == true)
    #expect(
      Array(result.stdoutLines.dropFirst()) == [
        "wave 1:", "  fetch  curl -O data", "wave 2:", "  build  make",
      ])
    #expect(try directory.contents() == ["ci.yaml"])
  }

  @Test("Several targets share what they need")
  func severalTargets() async throws {
    let directory = try TemporaryDirectory()
    try directory.write("ci.yaml", Manifests.diamond)
    let result = try await BatchrunProcess.batchrun(
      ["-n", "-j", "4", "ci.yaml", "docs", "lint"], in: directory.url)
    #expect(result.exitCode == 0, "\(result)")
    #expect(
      result.stdout == """
        dry run of 'diamond': 3 jobs in 2 waves at -j 4; nothing is run
        wave 1:
          fetch  curl -O data
          lint   swiftlint
        wave 2:
          docs   make docs

        """)
  }

  @Test(
    "Bad command-line usage: exit 64",
    arguments: [
      ["-n", "-j", "0", "ci.yaml"], ["-n", "--jobs", "0", "ci.yaml"], ["-n", "-j", "many", "ci.yaml"],
      ["-n", "--keep-going", "--fail-fast", "ci.yaml"], ["-n", "--output", "loud", "ci.yaml"],
      ["-n", "--timeout", "soon", "ci.yaml"], ["-n", "--no-such-flag", "ci.yaml"],
    ])
  func usage(_ arguments: [String]) async throws {
    let directory = try TemporaryDirectory()
    try directory.write("ci.yaml", Manifests.diamond)
    let result = try await BatchrunProcess.batchrun(arguments, in: directory.url)
    #expect(result.exitCode == 64, "\(result)")
    #expect(result.stdout == "")
    #expect(!result.stderr.isEmpty)
    #expect(try directory.contents() == ["ci.yaml"])
  }

  @Test("-j 0 says what is wrong")
  func jobsZeroMessage() async throws {
    let directory = try TemporaryDirectory()
    try directory.write("ci.yaml", Manifests.diamond)
    let result = try await BatchrunProcess.batchrun(["-n", "-j", "0", "ci.yaml"], in: directory.url)
    #expect(result.exitCode == 64)
    #expect(result.stderr.contains("-j/--jobs must be at least 1, got 0"))
  }

  @Test("A --timeout too large to hold is a usage error, not a crash")
  func hugeTimeoutOption() async throws {
    let directory = try TemporaryDirectory()
    try directory.write("ci.yaml", Manifests.diamond)
    let result = try await BatchrunProcess.batchrun(
      ["-n", "--timeout", "1e300", "ci.yaml"], in: directory.url)
    #expect(result.exitCode == 64, "\(result.exitCode.map(String.init) ?? "signal \(result.signal ?? 0)")")
  }

  @Test("--version prints the version")
  func version() async throws {
    let result = try await BatchrunProcess.batchrun(["--version"])
    #expect(result.exitCode == 0, "\(result)")
    #expect(result.stdout == "\(BatchrunVersion.current)\n")
  }
}
