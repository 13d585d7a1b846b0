import Foundation
import Testing

/// `secrets`: the value must appear nowhere batchrun writes.
@Suite("Secrets, end to end", .serialized)
struct SecretsEndToEndTests {
  static let secret = "s3cr3t-Value_42"

  let directory: TemporaryDirectory

  init() throws {
    directory = try TemporaryDirectory(prefix: "batchrun-secrets")
  }

  /// A command writing the secret one byte per `write`, with pauses, so that it reaches
  /// batchrun in many reads.
  static var byteAtATime: String {
    Self.secret.map { "printf '%s' '\($0)'; sleep 0.005" }.joined(separator: "; ")
  }

  static var manifest: String {
    """
    secrets: [API_TOKEN, FROM_ENV]
    env: {FROM_ENV: "env-Secret-99"}
    jobs:
      newline: {run: 'echo "token=$API_TOKEN"; echo "env=$FROM_ENV"'}
      no-newline: {run: 'printf "last:%s" "$API_TOKEN"'}
      bytes: {run: "\(byteAtATime); echo"}
      failing: {run: 'echo "failed with $API_TOKEN" >&2; exit 3', needs: newline}
      after: {run: 'printf "%s" "$API_TOKEN"', needs: failing, when: always}
    """
  }

  /// Every file under the directory that holds `text`.
  func files(containing text: String) throws -> [String] {
    try directory.contents().filter { path in
      let url = directory.url.appendingPathComponent(path)
      guard let data = try? Data(contentsOf: url) else { return false }
      return data.range(of: Data(text.utf8)) != nil && path != "m.yaml"
    }
  }

  @Test(
    "The value is in no log, report, journal, JUnit file, console output or HTML page",
    arguments: ["status", "stream", "grouped", "quiet"])
  func nowhere(_ mode: String) async throws {
    try directory.write("m.yaml", Self.manifest)
    let result = try await BatchrunProcess.batchrun(
      [
        "m.yaml", "-k", "-j", "3", "--output", mode, "--junit", "junit.xml", "--report",
        "report-copy.json",
      ],
      in: directory.url,
      environment: ["API_TOKEN": Self.secret, "GITHUB_ACTIONS": mode == "grouped" ? "true" : "false"])
    #expect(result.exitCode == 1, "\(result)")
    var outputs = [result.stdout, result.stderr]
    for format in ["text", "html", "junit", "json"] {
      let report = try await BatchrunProcess.batchrun(["report", "--format", format], in: directory.url)
      #expect(report.exitCode == 0, "\(report)")
      outputs += [report.stdout, report.stderr]
    }
    for secret in [Self.secret, "env-Secret-99"] {
      #expect(try files(containing: secret) == [])
      #expect(!outputs.contains { $0.contains(secret) }, "\(outputs)")
    }
    // The jobs did print it: masked.
    let logs = directory.url.appendingPathComponent(".batchrun/latest/logs")
    func log(_ name: String) throws -> String {
      try String(contentsOf: logs.appendingPathComponent(name), encoding: .utf8)
    }
    #expect(try log("newline.log") == "token=***\nenv=***\n")
    #expect(try log("no-newline.log") == "last:***")
    #expect(try log("bytes.log") == "***\n")
    #expect(try log("after.log") == "***")
    #expect(outputs[0].contains("***"), "\(result)")
  }

  @Test("A job without a secret in its environment writes straight to its log")
  func unpiped() async throws {
    try directory.write(
      "m.yaml",
      """
      secrets: [API_TOKEN]
      jobs:
        plain: {run: 'exec 3>&1; readlink /proc/self/fd/3 > fd.txt'}
        secret: {run: 'exec 3>&1; readlink /proc/self/fd/3 > fd-secret.txt', env: {API_TOKEN: "\(Self.secret)"}}
      """)
    let result = try await BatchrunProcess.batchrun(
      ["m.yaml"], in: directory.url, removingEnvironment: ["API_TOKEN"])
    #expect(result.exitCode == 0, "\(result)")
    let plain = try String(contentsOf: directory.url.appendingPathComponent("fd.txt"), encoding: .utf8)
    let piped = try String(contentsOf: directory.url.appendingPathComponent("fd-secret.txt"), encoding: .utf8)
    #expect(plain.hasSuffix("/logs/plain.log\n"), "\(plain)")
    #expect(piped.hasPrefix("pipe:"), "\(piped)")
  }
}
