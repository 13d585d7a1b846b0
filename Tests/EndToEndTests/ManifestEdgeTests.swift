import Foundation
import Testing

/// Manifests at the edges of what batchrun reads, through the built binary: numbers and
/// durations out of range, reserved ids, NUL characters, deep nesting, YAML tags.
@Suite("Manifests at the edges")
struct ManifestEdgeTests {
  /// The command lines before the manifest's path, as in ``ManifestErrorTests``.
  static let commands = ManifestErrorTests.commands

  /// Writes `manifest` as `m.yaml` in a fresh directory and runs `command + [m.yaml] + extra`.
  func run(_ command: [String], _ manifest: String, _ extra: [String] = []) async throws -> (
    BatchrunProcess.Result, TemporaryDirectory
  ) {
    let directory = try TemporaryDirectory(prefix: "batchrun-edge")
    try directory.write("m.yaml", manifest)
    let result = try await BatchrunProcess.batchrun(command + ["m.yaml"] + extra, in: directory.url)
    return (result, directory)
  }

  /// Checks that `manifest` is refused with exactly `diagnostics` (and their count, if more
  /// than one) by every command, and that nothing is written.
  func expectRefused(_ manifest: String, _ diagnostics: [String]) async throws {
    for command in Self.commands {
      let (result, directory) = try await run(command, manifest)
      #expect(result.exitCode == 65, "\(command): \(result)")
      #expect(result.stdout == "")
      let count = diagnostics.count > 1 ? ["\(diagnostics.count) errors"] : []
      #expect(result.stderrLines == diagnostics.map { "m.yaml:\($0)" } + count, "\(command)")
      #expect(try directory.contents() == ["m.yaml"])
    }
  }

  // MARK: - Numbers

  @Test("retries: Int.max, or beyond Int, is refused by every command (it crashed run, exit 132)")
  func hugeRetriesAreRefused() async throws {
    try await expectRefused(
      "jobs:\n  a:\n    run: 'true'\n    retries: 9223372036854775807\n",
      ["4:14: error: 'retries' in job 'a' is too large: 9223372036854775807 (at most 1000)"])
    try await expectRefused(
      "concurrency: 99999999999999999999999\njobs:\n  a:\n    run: 'true'\n",
      ["1:14: error: 'concurrency' is too large: 99999999999999999999999 (at most 100000)"])
  }

  @Test("A duration past 8760h is too large, in a manifest and on the command line")
  func hugeDurationsAreRefused() async throws {
    try await expectRefused(
      "jobs:\n  a:\n    run: 'true'\n    timeout: 9000h\n",
      ["4:14: error: 'timeout' in job 'a' is too large: 9000h (at most 8760h)"])
    for option in ["--timeout", "--kill-grace"] {
      let (result, directory) = try await run(["run"], Manifests.single, [option, "9000h"])
      #expect(result.exitCode == 64, "\(option): \(result)")
      #expect(result.stderr.contains("\(option) is too large: 9000h (at most 8760h)."), "\(result)")
      #expect(try directory.contents() == ["m.yaml"])
      let (longest, _) = try await run(["run"], Manifests.single, [option, "8760h"])
      #expect(longest.exitCode == 0, "\(option) 8760h: \(longest)")
    }
  }

  // MARK: - Ids

  @Test("A job id ending in .attempt-2 is refused: it would write job a's second log")
  func reservedIdIsRefused() async throws {
    try await expectRefused(
      "jobs:\n  a:\n    run: 'false'\n    retries: 1\n  a.attempt-2:\n    run: echo other\n",
      [
        "5:3: error: job id 'a.attempt-2' ends in '.attempt-2', which is reserved for retry logs"
          + " (logs/<job>.attempt-<n>.log); rename it, e.g. 'a-attempt-2'"
      ])
  }

  // MARK: - NUL

  @Test("run: \"before\\0after\" is refused, not run as 'before'")
  func nulIsRefused() async throws {
    try await expectRefused(
      "jobs:\n  a:\n    run: \"echo before\\0after\"\n    env: {X: \"1\\0\"}\n",
      [
        "3:10: error: 'run' in job 'a' contains a NUL character (\\0), which would cut it short when passed"
          + " to the system; remove it",
        "4:14: error: the value of 'X' in 'env' in job 'a' contains a NUL character (\\0), which would cut it"
          + " short when passed to the system; remove it",
      ])
  }

  // MARK: - Nesting

  @Test("Deep nesting is one diagnostic in batchrun's words, never libyaml's or a crash")
  func deepNestingIsRefused() async throws {
    let message = "error: YAML syntax error: nesting is too deep (at most 100 levels of lists and mappings)"
    // Deep enough for libyaml's own limit, whose message named its API.
    let flow = "a: " + String(repeating: "[", count: 2000) + String(repeating: "]", count: 2000) + "\n"
    try await expectRefused(flow, ["1:5: \(message)"])
    // Anchors nesting each other 45,000 levels deep once crashed batchrun (exit 139).
    var aliases =
      "x-a0: &a0 " + String(repeating: "[", count: 900) + String(repeating: "]", count: 900) + "\n"
    for layer in 1..<50 {
      aliases +=
        "x-a\(layer): &a\(layer) " + String(repeating: "[", count: 900) + "*a\(layer - 1)"
        + String(repeating: "]", count: 900) + "\n"
    }
    try await expectRefused(aliases + "jobs: {a: {run: 'true'}}\n", ["1:110: \(message)"])
  }

  // MARK: - Tags

  @Test("A !!int \"2\" is two retries: the job runs three times")
  func intTagIsHonoured() async throws {
    let (result, directory) = try await run(
      ["run"], "jobs:\n  flaky:\n    run: 'false'\n    retries: !!int \"2\"\n")
    #expect(result.exitCode == 1, "\(result)")
    let files = try await RunFiles(latestIn: directory.url.appendingPathComponent(".batchrun"))
    #expect(try files.attempts("flaky").map { $0["attempt"] as? Int } == [1, 2, 3])
  }

  @Test("!!str 5 is refused as \"5\" is; !!binary is refused, not run as its base64 text")
  func otherTagsAreRefused() async throws {
    try await expectRefused(
      "jobs:\n  a:\n    run: echo\n    retries: !!str 5\n",
      ["4:14: error: 'retries' in job 'a' must be a whole number, not a string"])
    try await expectRefused(
      "jobs:\n  a:\n    run: !!binary aGVsbG8=\n",
      [
        "3:10: error: unsupported tag !!binary: only the YAML 1.2 core schema's tags are supported"
          + " (!!str, !!int, !!float, !!bool, !!null, !!seq, !!map); remove it"
      ])
  }
}
