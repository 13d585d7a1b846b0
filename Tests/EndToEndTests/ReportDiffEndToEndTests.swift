import Foundation
import Testing

/// `batchrun report --diff`: two runs of one state directory compared, by default the two
/// latest, or named by run id or path; `--fail-on-regression` exits 1 on a regression.
@Suite("Report diff end to end")
struct ReportDiffEndToEndTests {
  let directory: TemporaryDirectory

  init() throws {
    directory = try TemporaryDirectory(prefix: "batchrun-diff")
  }

  func run(_ manifest: String) async throws {
    try directory.write("m.yaml", manifest)
    _ = try await BatchrunProcess.batchrun(["--state-dir", "state", "-k", "m.yaml"], in: directory.url)
  }

  func report(_ arguments: [String]) async throws -> BatchrunProcess.Result {
    try await BatchrunProcess.batchrun(["report", "--state-dir", "state"] + arguments, in: directory.url)
  }

  @Test("the two latest runs by default; run ids and paths too; regressions exit 1 when asked")
  func twoRuns() async throws {
    let first = """
      jobs:
        stays: {run: 'true'}
        breaks: {run: 'true'}
        mends: {run: 'exit 3'}
        goes: {run: 'true'}
      """
    try await run(first)
    let one = try await report(["--diff"])
    #expect(one.exitCode == 66, "\(one)")
    #expect(one.stderr.contains("--diff needs two runs; it has 1"), "\(one)")

    try await run(
      """
      jobs:
        stays: {run: 'true'}
        breaks: {run: 'exit 4'}
        mends: {run: 'true'}
        comes: {run: 'true'}
      """)
    let text = try await report(["--diff"])
    #expect(text.exitCode == 0, "\(text)")
    #expect(text.stdout.contains("newly failing (1):\n  breaks: failed, exit 4, was succeeded\n"), "\(text)")
    #expect(text.stdout.contains("fixed (1):\n  mends: succeeded, exit 0, was failed\n"))
    #expect(text.stdout.contains("added (1):\n  comes\n"))
    #expect(text.stdout.contains("removed (1):\n  goes\n"))
    #expect(text.stdout.hasSuffix("; a regression\n"))

    let failing = try await report(["--diff", "--fail-on-regression", "--format", "json"])
    #expect(failing.exitCode == 1, "\(failing)")
    let json = try #require(
      try JSONSerialization.jsonObject(with: Data(failing.stdout.utf8)) as? [String: Any])
    #expect(json["regression"] as? Bool == true)
    #expect((json["newly_failing"] as? [[String: Any]])?.first?["id"] as? String == "breaks")

    // Named the other way round, by id and by path: the first run is the later one.
    let runs = try FileManager.default.contentsOfDirectory(
      atPath: directory.url.appendingPathComponent("state/runs").path
    ).sorted()
    #expect(runs.count == 2)
    let reversed = try await report(
      ["--diff", "--fail-on-regression", runs[1], "state/runs/\(runs[0])/report.json"])
    #expect(reversed.exitCode == 1, "mends fails again: \(reversed)")
    #expect(reversed.stdout.contains("newly failing (1):\n  mends: failed, exit 3, was succeeded\n"))
    #expect(reversed.stdout.contains("from run \(runs[1]) (failed, 4 jobs)\n  to run \(runs[0])"))

    // One given: compared with the latest. The same run twice: what fails still fails.
    let same = try await report(["--diff", "--fail-on-regression", runs[1]])
    #expect(same.exitCode == 0, "\(same)")
    #expect(
      same.stdout.hasSuffix("\nstill failing (1):\n  breaks: failed, exit 4, was failed\n\n1 still failing\n")
    )
  }

  @Test("usage: more than two runs, --fail-on-regression alone, --diff as html")
  func usage() async throws {
    for arguments in [
      ["--diff", "a", "b", "c"], ["--fail-on-regression"], ["--diff", "--format", "html"], ["a", "b"],
    ] {
      let result = try await report(arguments)
      #expect(result.exitCode == 64, "\(arguments): \(result)")
    }
    let missing = try await report(["--diff", "no-such-run", "state/nothing.json"])
    #expect(missing.exitCode == 66, "\(missing)")
  }
}
