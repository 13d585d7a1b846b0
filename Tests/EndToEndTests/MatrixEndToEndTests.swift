import Foundation
import Testing

/// `vars`, `--var`, interpolation and `matrix`, with the built `batchrun` and real jobs.
@Suite("vars and matrix, end to end", .serialized)
struct MatrixEndToEndTests {
  let directory: TemporaryDirectory

  init() throws {
    directory = try TemporaryDirectory(prefix: "batchrun-matrix")
  }

  var state: URL { directory.url.appendingPathComponent(".batchrun") }

  func run(_ manifest: String, _ arguments: [String]) async throws -> BatchrunProcess.Result {
    try directory.write("m.yaml", manifest)
    return try await BatchrunProcess.batchrun(arguments + ["m.yaml"], in: directory.url)
  }

  static let matrix = """
    jobs:
      build:
        matrix:
          os: [debian, alpine]
          py: ["3.11", "3.12"]
          exclude: [{os: alpine, py: "3.11"}]
        run: echo "built $BATCHRUN_JOB_ID for ${{ matrix.os }} ${{ matrix.py }}" > "${{ job.id }}.out"
      test:
        matrix:
          os: [debian, alpine]
        needs: ["build.${{ matrix.os }}.3.12"]
        run: cat "build.${{ matrix.os }}.3.12.out" > "test.${{ matrix.os }}.out"
    """

  @Test("A 2x2 matrix with an exclude and pairwise needs: ids, order, outputs, the report's matrix")
  func matrix() async throws {
    let result = try await run(Self.matrix, ["-j", "1", "--output", "status"])
    #expect(result.exitCode == 0, "\(result)")
    let files = try await RunFiles(latestIn: state)
    #expect(
      files.jobIDs == [
        "build.debian.3.11", "build.debian.3.12", "build.alpine.3.12", "test.debian", "test.alpine",
      ])
    let test = try files.job("test.alpine")
    #expect(test["matrix"] as? [String: String] == ["os": "alpine"])
    #expect(test["needs"] as? [String] == ["build.alpine.3.12"])
    #expect(
      try files.job("build.debian.3.11")["matrix"] as? [String: String] == ["os": "debian", "py": "3.11"])
    let output = try String(
      contentsOf: directory.url.appendingPathComponent("test.alpine.out"), encoding: .utf8)
    #expect(output == "built build.alpine.3.12 for alpine 3.12\n")
    #expect(
      !FileManager.default.fileExists(
        atPath: directory.url.appendingPathComponent("build.alpine.3.11.out").path))
    // Each test job started after its own build job finished.
    for os in ["debian", "alpine"] {
      let built = try #require(files.job("build.\(os).3.12")["finished_at"] as? String)
      let tested = try #require(files.job("test.\(os)")["started_at"] as? String)
      #expect(built <= tested)
    }
  }

  @Test("graph and --dry-run show the expansions; a target naming the matrix job selects every expansion")
  func graphAndTargets() async throws {
    let graph = try await run(Self.matrix, ["graph", "--format", "mermaid"])
    #expect(graph.exitCode == 0, "\(graph)")
    #expect(graph.stdout.contains("build.alpine.3.12"))
    #expect(!graph.stdout.contains("build.alpine.3.11"))
    let dry = try await run(Self.matrix, ["-n", "-j", "8"])
    #expect(dry.stdoutLines.first == "dry run of 'm': 5 jobs in 2 waves at -j 8; nothing is run", "\(dry)")
    let selected = try await BatchrunProcess.batchrun(["-n", "-j", "8", "m.yaml", "test"], in: directory.url)
    #expect(
      selected.stdoutLines.first == "dry run of 'm': 4 jobs in 2 waves at -j 8; nothing is run", "\(selected)"
    )
    #expect(!selected.stdout.contains("build.debian.3.11"))
  }

  @Test("--var overrides vars, in run, env and cwd; the escape stays literal")
  func variables() async throws {
    try FileManager.default.createDirectory(
      at: directory.url.appendingPathComponent("dir-two"), withIntermediateDirectories: true)
    let manifest = """
      vars: {name: one, where: dir-one}
      jobs:
        show:
          run: printf '%s|%s|%s|%s\\n' "${{ vars.name }}" "$NAME" "$(basename "$PWD")" '$${{ vars.name }}' > "$BATCHRUN_RUN_DIR/../../out.txt"
          env: {NAME: "env-${{ vars.name }}"}
          cwd: ${{ vars.where }}
      """
    let result = try await run(manifest, ["--var", "name=two", "--var", "where=dir-two"])
    #expect(result.exitCode == 0, "\(result)")
    let output = try String(contentsOf: state.appendingPathComponent("out.txt"), encoding: .utf8)
    #expect(output == "two|env-two|dir-two|${{ vars.name }}\n")
    let bad = try await run(manifest, ["--var", "no equals"])
    #expect(bad.exitCode == 64, "\(bad)")
  }

  @Test("An unknown var is a diagnostic at its line and column, exit 65, and --var can supply it")
  func unknownVariable() async throws {
    let manifest = "jobs:\n  a:\n    run: echo ${{ vars.tag }}\n"
    let invalid = try await run(manifest, ["validate"])
    #expect(invalid.exitCode == 65)
    #expect(
      invalid.stderr
        == "m.yaml:3:19: error: unknown variable 'vars.tag' in job 'a'; define it under 'vars' or with --var tag=VALUE\n"
    )
    let fixed = try await run(manifest, ["validate", "--var", "tag=v1"])
    #expect(fixed.exitCode == 0, "\(fixed)")
  }
}
