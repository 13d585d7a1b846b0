import Foundation
import Testing

/// What a failed run says about its cause on every console, and what CI systems get:
/// GitHub's step summary, GitLab's collapsible sections.
@Suite("CI summaries and the root cause")
struct CIEndToEndTests {
  let directory: TemporaryDirectory

  init() throws {
    directory = try TemporaryDirectory(prefix: "batchrun-ci")
  }

  /// A failure early in a chain, a sibling that is still running when it fails (and goes
  /// on), and a job after that sibling that never starts.
  static let manifest = """
    jobs:
      build: {run: 'echo compiling; echo "error: missing | semicolon" >&2; sleep 0.3; exit 3'}
      test: {run: 'true', needs: build}
      deploy: {run: 'true', needs: test}
      lint: {run: 'sleep 1; echo lint done'}
      docs: {run: 'true', needs: lint}
    """

  /// Runs the manifest at -j 2 with the CI variables of `environment`, and no others.
  func run(_ arguments: [String], environment: [String: String] = [:]) async throws -> BatchrunProcess.Result
  {
    try directory.write("m.yaml", Self.manifest)
    return try await BatchrunProcess.batchrun(
      ["run", "m.yaml", "-j", "2"] + arguments, in: directory.url, environment: environment,
      removingEnvironment: ["GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY", "GITLAB_CI"])
  }

  @Test(
    "Every console ends a failed run with its first failure, its log, and what it took down",
    arguments: ["auto", "quiet", "stream", "grouped"])
  func rootCause(_ output: String) async throws {
    let result = try await run(["--output", output])
    #expect(result.exitCode == 1, "\(result)")
    let lines = result.stdoutLines
    let first = try #require(lines.firstIndex { $0.hasPrefix("first failure: build exit 3") }, "\(result)")
    let end = lines[first...]
    #expect(end.contains { $0.contains("| error: missing | semicolon") }, "its log's tail: \(result)")
    #expect(end.contains("  skipped because of it: test, deploy"), "\(result)")
    #expect(end.contains("  stopped or not started after it: docs"), "\(result)")
    #expect(lines.last?.hasPrefix("report: ") == true)
    // The sibling that was running when build failed is not blamed on it.
    #expect(!end.contains { $0.contains("lint") }, "\(result)")
  }

  @Test("A run that succeeds names no cause")
  func noCauseOnSuccess() async throws {
    try directory.write("ok.yaml", "jobs:\n  a: {run: 'true'}\n")
    let result = try await BatchrunProcess.batchrun(["run", "ok.yaml"], in: directory.url)
    #expect(result.exitCode == 0)
    #expect(!result.stdout.contains("first failure"))
  }

  @Test("GITHUB_STEP_SUMMARY gets a Markdown summary appended, never overwritten, that parses")
  func stepSummary() async throws {
    let summary = try directory.write("summary.md", "# Earlier step\n")
    let environment = ["GITHUB_STEP_SUMMARY": summary]
    _ = try await run(["--output", "quiet"], environment: environment)
    _ = try await run(["--output", "quiet", "--keep-going"], environment: environment)
    let text = try String(contentsOfFile: summary, encoding: .utf8)
    #expect(text.hasPrefix("# Earlier step\n"), "appended, not overwritten")

    let tokens = try await Self.markdownTokens(summary)
    let headings = tokens.filter { $0.type == "inline" && $0.level == 1 }.map(\.content)
    #expect(headings.filter { $0.contains("batchrun: failed") }.count == 2, "\(headings)")
    #expect(headings.filter { $0 == "Failed jobs" }.count == 2)
    #expect(headings.filter { $0 == "Slowest jobs" }.count == 2)
    #expect(headings.filter { $0 == "Critical path" }.count == 2)
    #expect(tokens.filter { $0.type == "table_open" }.count == 4, "failed and slowest jobs, twice")
    // The pipe in the message stays inside its cell: the failed-jobs table has 4 columns.
    #expect(tokens.contains { $0.type == "inline" && $0.content == "`build`" })
    let fences = tokens.filter { $0.type == "fence" }.map(\.content)
    #expect(fences.count == 2)
    #expect(fences.allSatisfy { $0 == "compiling\nerror: missing | semicolon\n" }, "\(fences)")
    #expect(
      tokens.contains {
        $0.type == "html_block" && $0.content.hasPrefix("<details><summary><code>build</code>")
      })
    // With --keep-going, docs ran after lint: the second summary's slowest jobs list it.
    #expect(text.components(separatedBy: "#### Slowest jobs").last?.contains("`docs`") == true)
  }

  @Test("GITLAB_CI=true: grouped output uses GitLab's collapsible sections")
  func gitlabSections() async throws {
    let result = try await run(["--output", "grouped", "--keep-going"], environment: ["GITLAB_CI": "true"])
    let erase = "\u{1B}[0K"
    let starts = result.stdout.components(separatedBy: erase + "section_start:").count - 1
    let ends = result.stdout.components(separatedBy: erase + "section_end:").count - 1
    #expect(starts == 3 && ends == 3, "build, lint, docs and nothing for skipped jobs: \(result)")
    let pattern =
      /\x1B\[0Ksection_start:(\d+):(batchrun_\d+)\[collapsed=true\]\r\x1B\[0Kbuild \(failed, [^)]*\)\n/
    let match = try #require(result.stdout.firstMatch(of: pattern), "\(result)")
    #expect(result.stdout.contains(erase + "section_end:\(match.1):\(match.2)\r" + erase + "\n"))
    #expect(!result.stdout.contains("::group::"))
  }

  /// A token of Python's markdown-it-py (CommonMark with tables).
  struct Token: Decodable {
    var type: String
    var content: String
    /// 1 inside a heading.
    var level: Int
  }

  /// Parses `path` with markdown-it-py; headings' inline tokens get level 1.
  static func markdownTokens(_ path: String) async throws -> [Token] {
    let script = """
      import json, sys
      from markdown_it import MarkdownIt
      tokens = MarkdownIt("commonmark").enable("table").parse(open(sys.argv[1], encoding="utf-8").read())
      out, heading = [], False
      for t in tokens:
          heading = True if t.type == "heading_open" else False if t.type == "heading_close" else heading
          out.append({"type": t.type, "content": t.content, "level": 1 if heading and t.type == "inline" else 0})
      print(json.dumps(out, ensure_ascii=True))
      """
    let result = try await BatchrunProcess.run(
      URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-c", script, path])
    guard result.exitCode == 0 else {
      throw CIError(description: "markdown-it-py (scripts/test installs it): \(result.stderr)")
    }
    return try JSONDecoder().decode([Token].self, from: Data(result.stdout.utf8))
  }

  struct CIError: Error, CustomStringConvertible {
    var description: String
  }
}
