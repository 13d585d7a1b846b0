import Foundation
import Testing

/// `dotenv` and `include`, with the built `batchrun` and real jobs.
@Suite("dotenv and include, end to end", .serialized)
struct DotenvIncludeEndToEndTests {
  let directory: TemporaryDirectory

  init() throws {
    directory = try TemporaryDirectory(prefix: "batchrun-dotenv")
  }

  @Test("Precedence, lowest first: inherited, manifest dotenv, manifest env, job dotenv, job env, BATCHRUN_*")
  func precedence() async throws {
    try directory.write(
      ".env", "export L1=manifest-dotenv\nL2=manifest-dotenv\nL3=manifest-dotenv\nQ='a $HOME # b'\n")
    try directory.write("job.env", "L3=job-dotenv\nL4=job-dotenv\nBATCHRUN_JOB_ID=nope\nE=\"x\\ty\"\n")
    try directory.write(
      "m.yaml",
      """
      dotenv: [.env, ?.env.local]
      env: {L2: manifest-env, L3: manifest-env}
      jobs:
        show:
          dotenv: job.env
          env: {L4: job-env}
          run: printf '%s|%s|%s|%s|%s|%s|%s|%s\\n' "$L0" "$L1" "$L2" "$L3" "$L4" "$Q" "$E" "$BATCHRUN_JOB_ID" > out.txt
      """)
    let result = try await BatchrunProcess.batchrun(
      ["m.yaml"], in: directory.url, environment: ["L0": "inherited", "L1": "inherited", "L4": "inherited"])
    #expect(result.exitCode == 0, "\(result)")
    let output = try String(contentsOf: directory.url.appendingPathComponent("out.txt"), encoding: .utf8)
    #expect(output == "inherited|manifest-dotenv|manifest-env|job-dotenv|job-env|a $HOME # b|x\ty|show\n")
  }

  @Test("A bad dotenv line is a diagnostic at file:line:col, and nothing runs")
  func badLine() async throws {
    try directory.write(".env", "A=1\n  B = \"open\n")
    try directory.write("m.yaml", "dotenv: .env\njobs:\n  a: {run: touch ran}\n")
    let result = try await BatchrunProcess.batchrun(["m.yaml"], in: directory.url)
    #expect(result.exitCode == 65)
    #expect(
      result.stderr == ".env:2:7: error: the value's double quote is not closed on this line\n", "\(result)")
    #expect(!FileManager.default.fileExists(atPath: directory.url.appendingPathComponent("ran").path))
  }

  @Test("An included manifest's job runs in its own directory, with its own shell, env, dotenv and defaults")
  func include() async throws {
    try directory.write("ci/lib.env", "FROM_DOTENV=lib\n")
    try directory.write(
      "ci/lib.yaml",
      """
      shell: [/bin/bash, -c]
      env: {WHO: lib}
      dotenv: lib.env
      defaults: {env: {DEFAULTED: lib-default}}
      pools: {db: 1}
      jobs:
        lib-job:
          needs: main-job
          pool: db
          run: echo "$PWD|$WHO|$FROM_DOTENV|$DEFAULTED|$ROOT|${BASH_VERSION:+bash}" > out.txt
      """)
    try directory.write(
      "m.yaml",
      """
      include: [ci/lib.yaml]
      env: {WHO: main, ROOT: root-env}
      jobs:
        main-job:
          run: echo "$PWD|$WHO|${DEFAULTED:-none}" > out.txt
      """)
    let result = try await BatchrunProcess.batchrun(["m.yaml", "-j", "2"], in: directory.url)
    #expect(result.exitCode == 0, "\(result)")
    let root = directory.url.resolvingSymlinksInPath().path
    let main = try String(contentsOf: directory.url.appendingPathComponent("out.txt"), encoding: .utf8)
    #expect(main == "\(root)|main|none\n")
    let lib = try String(contentsOf: directory.url.appendingPathComponent("ci/out.txt"), encoding: .utf8)
    #expect(lib == "\(root)/ci|lib|lib|lib-default|root-env|bash\n")
  }
}
