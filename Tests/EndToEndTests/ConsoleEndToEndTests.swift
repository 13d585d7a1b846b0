import Foundation
import Testing

/// What `batchrun` prints in each `--output` mode, and colour.
@Suite("Console output")
struct ConsoleEndToEndTests {
  let directory: TemporaryDirectory

  init() throws {
    directory = try TemporaryDirectory(prefix: "batchrun-console")
  }

  func run(
    _ manifest: String, _ arguments: [String], environment: [String: String] = [:], removing: [String] = []
  ) async throws -> BatchrunProcess.Result {
    try directory.write("m.yaml", manifest)
    return try await BatchrunProcess.batchrun(
      arguments + ["m.yaml"], in: directory.url, environment: environment, removingEnvironment: removing)
  }

  static let mixed = """
    jobs:
      good: {run: 'echo fine'}
      bad: {run: 'echo first; echo broken; exit 3'}
      after: {run: 'true', needs: good}
    """

  @Test func plainLinesHaveNoEscapeCodesOffATerminal() async throws {
    let result = try await run(Self.mixed, ["-k"], removing: ["NO_COLOR"])
    #expect(result.exitCode == 1)
    #expect(!result.stdout.contains("\u{1B}"), "no escape codes in a pipe")
    #expect(result.stdout.contains("  start good\n"))
    #expect(result.stdout.contains("     ok good "))
    #expect(result.stdout.contains("   FAIL bad exit 3 "))
    #expect(result.stdout.contains("      | broken\n"))
    #expect(
      result.stdoutLines.dropLast().last?.hasPrefix("failed: 3 jobs, 2 succeeded, 1 failed in ") == true)
    #expect(result.stdoutLines.last?.hasPrefix("report: ") == true)
    #expect(result.stderr.isEmpty)
  }

  @Test func colorAlwaysWinsOverNoColorAndNeverOrNoColorTurnItOff() async throws {
    let forced = try await run(Self.mixed, ["-k", "--color", "always"], environment: ["NO_COLOR": "1"])
    #expect(forced.stdout.contains("\u{1B}[32m     ok\u{1B}[0m good"))
    let never = try await run(Self.mixed, ["-k", "--color", "never"])
    #expect(never.stdout.contains("     ok good"))
    #expect(!never.stdout.contains("\u{1B}"))
    let honoured = try await run(Self.mixed, ["-k", "--color", "auto"], environment: ["NO_COLOR": "1"])
    #expect(honoured.stdout.contains("     ok good"))
    #expect(!honoured.stdout.contains("\u{1B}"))
  }

  @Test func quietShowsOnlyFailuresAndTheSummary() async throws {
    let result = try await run(Self.mixed, ["-k", "--output", "quiet"])
    #expect(!result.stdout.contains("good"))
    #expect(!result.stdout.contains("after"))
    #expect(result.stdout.hasPrefix("   FAIL bad exit 3 "))
    #expect(result.stdout.contains("      | broken\n"))
    #expect(
      result.stdoutLines.count == 8,
      "fail line, two tail lines, the root cause and its two tail lines, summary, report: \(result.stdout)")
    #expect(result.stdoutLines[3].hasPrefix("first failure: bad exit 3"))
  }

  @Test func streamPrefixesEveryLineAndNeverSplitsOne() async throws {
    // Two jobs write long lines as fast as they can, in parallel.
    let long = String(repeating: "x", count: 3000)
    let result = try await run(
      """
      jobs:
        left: {run: 'for i in $(seq 1 400); do echo "left-$i-\(long)"; done; printf left-partial'}
        right-side: {run: 'for i in $(seq 1 400); do echo "right-side-$i-\(long)"; done'}
      """, ["-j", "2", "--output", "stream"])
    #expect(result.exitCode == 0, "\(result.stderr)")
    var seen: [String: Int] = [:]
    for line in result.stdoutLines where line.contains(" | ") {
      let parts = line.components(separatedBy: " | ")
      let id = parts[0].trimmingCharacters(in: .whitespaces)
      #expect(parts.count == 2, "one prefix per line")
      #expect(parts[0].count == "right-side".count, "prefixes are padded to one width")
      if parts[1] == "left-partial" {
        seen["partial", default: 0] += 1
        continue
      }
      #expect(parts[1].hasPrefix(id + "-"), "a line holds only its own job's bytes")
      #expect(parts[1].hasSuffix(long), "a line is never cut")
      seen[id, default: 0] += 1
    }
    #expect(seen == ["left": 400, "right-side": 400, "partial": 1])
  }

  @Test func groupedPrintsEachLogAsABlock() async throws {
    let result = try await run(
      Self.mixed, ["-k", "-j", "1", "--output", "grouped"], removing: ["GITHUB_ACTIONS"])
    #expect(!result.stdout.contains("::group::"))
    let text = result.stdout
    let badBlock = try #require(text.range(of: "── bad (failed, "))
    #expect(text[badBlock.upperBound...].contains("first\nbroken\n   FAIL bad exit 3"))
    #expect(text.contains("fine\n     ok good"))
  }

  @Test func groupedOnGitHubActionsUsesGroupsAndAnnotatesFailures() async throws {
    let result = try await run(
      Self.mixed, ["-k", "-j", "1", "--output", "grouped"], environment: ["GITHUB_ACTIONS": "true"])
    let lines = result.stdoutLines
    let start = try #require(lines.firstIndex { $0.hasPrefix("::group::bad (failed, ") })
    #expect(Array(lines[(start + 1)...(start + 3)]) == ["first", "broken", "::endgroup::"])
    #expect(lines[start + 4] == "::error title=batchrun: bad failed::job 'bad' exit 3")
    #expect(lines.contains { $0.hasPrefix("::group::good (succeeded, ") })
    #expect(!lines.contains { $0.hasPrefix("::error") && $0.contains("good") })
  }
}

/// The live status line, in a real terminal: tmux runs batchrun and the test reads the screen.
@Suite("Terminal status line", .enabled(if: Tmux.available))
struct TerminalEndToEndTests {
  @Test func statusLineWhileRunningAndACleanScreenAfter() async throws {
    let directory = try TemporaryDirectory(prefix: "batchrun-tmux")
    try directory.write(
      "m.yaml",
      """
      jobs:
        quick: {run: 'echo bad; exit 1', allow-failure: true}
        slow-one: {run: 'while [ ! -e release ]; do sleep 0.05; done'}
        slow-two: {run: 'while [ ! -e release ]; do sleep 0.05; done; sleep 0.3'}
        last: {run: 'true', needs: slow-one}
      """)
    let session = "batchrun-test-\(UInt32.random(in: 0...UInt32.max))"
    let binary = try BatchrunProcess.batchrunURL.path
    try await Tmux.run([
      "new-session", "-d", "-s", session, "-x", "100", "-y", "20",
      "cd \(directory.path) && \(binary) -j 3 m.yaml; echo EXIT=$?; sleep 30",
    ])
    defer { Task { try? await Tmux.run(["kill-session", "-t", session]) } }

    // Read the screen until the status line shows the quick job done and both slow ones
    // running (they wait for the test to release them).
    var during: [String] = []
    for _ in 0..<300 {
      try await Task.sleep(for: .milliseconds(100))
      during = try await Tmux.capture(session)
      if during.last?.hasPrefix("[1/4] | running: ") == true { break }
    }
    let status = try #require(during.last, "a status line: \(during)")
    #expect(status.hasPrefix("[1/4] | running: "), "\(during)")
    #expect(status.contains("slow-one") && status.contains("slow-two"), "\(during)")
    #expect(during.contains { $0.hasPrefix("allowed quick exit 1") })
    try directory.write("release", "")

    var after: [String] = []
    for _ in 0..<150 {
      try await Task.sleep(for: .milliseconds(200))
      after = try await Tmux.capture(session)
      if after.contains(where: { $0.hasPrefix("EXIT=") }) { break }
    }
    #expect(after.last == "EXIT=0", "\(after)")
    #expect(!after.contains { $0.hasPrefix("[") }, "the status line is gone: \(after)")
    #expect(after.contains { $0.hasPrefix("     ok slow-one ") })
    #expect(after.contains { $0.hasPrefix("     ok last ") })
    #expect(after.contains { $0.hasPrefix("succeeded: 4 jobs") })
  }
}

/// Drives tmux for terminal tests.
enum Tmux {
  static let path = "/usr/bin/tmux"

  static var available: Bool {
    FileManager.default.isExecutableFile(atPath: path)
  }

  /// Runs a tmux command (the server it may start outlives it, so no pipes are used).
  @discardableResult
  static func run(_ arguments: [String]) async throws -> String {
    let result = try await BatchrunProcess.run(URL(fileURLWithPath: path), arguments, timeout: .seconds(10))
    return result.stdout
  }

  /// The pane's non-empty lines.
  static func capture(_ session: String) async throws -> [String] {
    try await run(["capture-pane", "-p", "-t", session]).split(separator: "\n").map(String.init)
      .filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
  }
}
