@testable import BatchrunKit
import Foundation
import TestSupport
import Testing

/// A file in `Fixtures/invalid-additions` (or a folder of files there, its main one
/// named) and every diagnostic it must produce, in order, with its file when not the main one.
struct AdditionFixture: Sendable, CustomTestStringConvertible {
  var name: String
  var expected: [ExpectedDiagnostic]

  init(_ name: String, _ expected: ExpectedDiagnostic...) {
    self.name = name
    self.expected = expected
  }

  var testDescription: String { name }
}

private func at(_ line: Int, _ column: Int, _ phrase: String) -> ExpectedDiagnostic {
  ExpectedDiagnostic(line: line, column: column, phrase: phrase)
}

/// Every invalid fixture of the keys docs/manifest.md adds to version 1, with the exact
/// position and message of each diagnostic.
let additionFixtures: [AdditionFixture] = [
  AdditionFixture(
    "dotenv-bad-lines/main.yaml", at(3, 1, "FILE:settings.env expected KEY=VALUE, found 'no equals here'"),
    at(
      4, 1,
      "FILE:settings.env invalid variable name '1BAD': use letters, digits and '_', not starting with a digit"
    ), at(6, 3, "FILE:settings.env the value's double quote is not closed on this line"),
    at(7, 8, "FILE:settings.env unknown escape '\\q' in a double-quoted value; use \\n, \\t, \\\" or \\\\"),
    at(8, 7, "FILE:settings.env unexpected text after the quoted value; put a '#' before a comment")),
  AdditionFixture(
    "dotenv-missing/main.yaml",
    at(
      1, 10,
      "cannot read dotenv file 'DIR/absent.env': No such file or directory (write '?absent.env' for a file that may be missing)"
    ),
    at(
      5, 31,
      "cannot read dotenv file 'DIR/missing-job.env': No such file or directory (write '?missing-job.env' for a file that may be missing)"
    )),
  AdditionFixture("gpus-not-list.yaml", at(1, 7, "'gpus' must be a list, not a number")),
  AdditionFixture(
    "include-cycle/main.yaml",
    at(4, 5, "FILE:ci/b.yaml include cycle: DIR/ci/a.yaml -> DIR/ci/b.yaml -> DIR/ci/a.yaml")),
  AdditionFixture(
    "include-device.yaml", at(1, 10, "cannot read included manifest '/dev/zero': it is not a regular file"),
    at(2, 9, "cannot read dotenv file '/dev/null': it is not a regular file")),
  AdditionFixture(
    "include-duplicate/main.yaml",
    at(1, 9, "FILE:common.yaml pool 'db' is defined twice (first at DIR/main.yaml:2:9)"),
    at(2, 1, "FILE:common.yaml 'concurrency' has no effect in an included manifest; set it in the main one"),
    at(5, 3, "FILE:common.yaml duplicate job id 'build' (first defined at DIR/main.yaml:4:3)"),
    at(
      7, 11,
      "FILE:common.yaml unknown pool 'dbb' (did you mean 'db'?); define it under 'pools', e.g. 'pools: {dbb: 1}'"
    )),
  AdditionFixture(
    "include-missing/main.yaml",
    at(1, 11, "cannot read included manifest 'DIR/nowhere.yaml': No such file or directory"),
    at(1, 25, "an item of 'include' is empty; give a file name")),
  AdditionFixture(
    "matrix-all-excluded.yaml",
    at(4, 7, "the matrix of job 'test' is empty: 'exclude' drops every combination")),
  AdditionFixture(
    "matrix-axis-empty.yaml",
    at(4, 11, "axis 'os' of the matrix of job 'test' is empty; give it at least one value"),
    at(5, 12, "values of axis 'py' of the matrix of job 'test' must be scalars, not a mapping")),
  AdditionFixture(
    "matrix-axis-not-list.yaml",
    at(4, 11, "axis 'os' of the matrix of job 'test' must be a list of values, not a string")),
  AdditionFixture(
    "matrix-bad-exclude.yaml",
    at(6, 18, "unknown matrix axis 'oss' in 'exclude' in the matrix of job 'test' (did you mean 'os'?)"),
    at(7, 17, "an item of 'include' in the matrix of job 'test' must give every axis; 'py' is missing")),
  AdditionFixture(
    "matrix-collision-values.yaml",
    at(
      2, 3,
      "the matrix of job 'test' gives the id 'test.a_b' twice (combinations 1 and 2); make the values differ in letters, digits, '_', '.' or '-'"
    )),
  AdditionFixture(
    "matrix-collision.yaml",
    at(
      4, 3,
      "job id 'test.debian' from the matrix of job 'test' collides with another job (first defined at 2:3)")),
  AdditionFixture(
    "matrix-in-defaults.yaml", at(2, 3, "'matrix' cannot be set in 'defaults'; set it on each job")),
  AdditionFixture(
    "matrix-no-axes.yaml",
    at(
      3, 13,
      "'matrix' in job 'test' has no axes; give each axis a list of values, e.g. 'os: [debian, alpine]'")),
  AdditionFixture(
    "matrix-outside-matrix.yaml", at(3, 19, "'matrix.os' is used in job 'build', which has no 'matrix'")),
  AdditionFixture(
    "matrix-too-large.yaml", at(4, 7, "the matrix of job 't' gives 1000000 combinations (at most 100000)")),
  AdditionFixture(
    "needs-unknown-expansion.yaml", at(7, 13, "job 'test.alpine' needs 'build.alpine', which is not a job")),
  AdditionFixture(
    "pool-bad-depth.yaml", at(1, 13, "the depth of pool 'db' must be at least 1, got 0"),
    at(1, 21, "the depth of pool 'api' must be a whole number, not a string")),
  AdditionFixture(
    "resources-bad.yaml", at(4, 23, "'cpus' of 'resources' in job 'train' must be at least 1, got 0"),
    at(4, 34, "invalid size for 'memory' of 'resources' in job 'train'; write e.g. 512M, 4G or 1T"),
    at(4, 48, "'gpus' of 'resources' in job 'train' must be 0 or more, got -1"),
    at(4, 52, "unknown key 'disk' in 'resources' in job 'train'")),
  AdditionFixture(
    "retry-policy-bad.yaml",
    at(
      5, 20,
      "'retry-backoff' in job 'fetch' must be a number from 1 to 1000 (2 doubles the delay after each retry)"),
    at(
      6, 22,
      "invalid duration 'soon' for 'retry-max-delay' in job 'fetch'; write e.g. 250ms, 30s, 5m, 1h30m or a number of seconds"
    ), at(7, 16, "items of 'retry-on' in job 'fetch' must be exit codes from 1 to 255 or 'timeout', not '0'"),
    at(
      7, 28,
      "items of 'retry-on' in job 'fetch' must be exit codes from 1 to 255 or 'timeout', not 'timeouts'")),
  AdditionFixture(
    "secrets-bad-name.yaml", at(1, 22, "invalid secret name 'A=B': give an environment variable's name")),
  AdditionFixture(
    "unknown-axis.yaml", at(6, 42, "unknown matrix axis 'matrix.py' in job 'test'; its axes are os")),
  AdditionFixture(
    "unknown-name.yaml",
    at(
      3, 19,
      "unknown name 'env.HOME' in '${{ }}' in job 'build'; write vars.NAME, matrix.AXIS or job.id (or '$${{' for a literal '${{')"
    ),
    at(
      3, 35,
      "unknown name 'job.name' in '${{ }}' in job 'build'; write vars.NAME, matrix.AXIS or job.id (or '$${{' for a literal '${{')"
    )),
  AdditionFixture(
    "unknown-pool.yaml",
    at(
      5, 11,
      "unknown pool 'databse' (did you mean 'database'?); define it under 'pools', e.g. 'pools: {databse: 1}'"
    )),
  AdditionFixture(
    "unknown-var-block.yaml",
    at(
      5, 17,
      "unknown variable 'vars.missing' in job 'build'; define it under 'vars' or with --var missing=VALUE")),
  AdditionFixture(
    "unknown-var.yaml",
    at(4, 27, "unknown variable 'vars.verison' in job 'build' (did you mean 'vars.version'?)")),
  AdditionFixture(
    "unterminated.yaml",
    at(3, 27, "'${{' without a closing '}}' in job 'build'; write '$${{' for a literal '${{'")),
  AdditionFixture(
    "var-bad-name.yaml",
    at(
      1, 8,
      "invalid variable name 'my var' in 'vars': use letters, digits, '_' and '-', starting with a letter or '_'"
    ), at(1, 25, "the value of 'vars.ok' must be a scalar, not a list")),
]

@Suite("Invalid manifests using vars, matrix, dotenv, include, pools and resources")
struct AdditionDiagnosticsTests {
  @Test("Each fixture gives exactly its diagnostics, at their positions", arguments: additionFixtures)
  func fixture(_ fixture: AdditionFixture) throws {
    let path = Fixtures.path("invalid-additions", fixture.name)
    let error = #expect(throws: ManifestError.self) { try ManifestLoader.load(path: path) }
    guard case .invalid(let found) = error else {
      Issue.record("expected .invalid, got \(String(describing: error))")
      return
    }
    #expect(found.count == fixture.expected.count, "\(found.map(\.description))")
    for (diagnostic, expected) in zip(found, fixture.expected) {
      // `FILE:name message`: the diagnostic is in `name`, beside the main file.
      var phrase = Substring(expected.phrase)
      var file = path
      if phrase.hasPrefix("FILE:"), let space = phrase.firstIndex(of: " ") {
        file =
          (path as NSString).deletingLastPathComponent + "/"
          + phrase[phrase.index(phrase.startIndex, offsetBy: 5)..<space]
        phrase = phrase[phrase.index(after: space)...]
      }
      #expect(diagnostic.location?.file == file, "\(diagnostic)")
      #expect(diagnostic.location?.line == expected.line, "\(diagnostic)")
      #expect(diagnostic.location?.column == expected.column, "\(diagnostic)")
      // `DIR/`: the main file's directory, as messages name other files.
      let directory = (path as NSString).deletingLastPathComponent
      #expect(diagnostic.message == phrase.replacingOccurrences(of: "DIR/", with: directory + "/"))
    }
  }

  @Test("Every file in Fixtures/invalid-additions is in the table")
  func tableCoversFolder() throws {
    let folder = Fixtures.directory.appendingPathComponent("invalid-additions")
    let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).map {
      $0.hasSuffix(".yaml") ? $0 : "\($0)/main.yaml"
    }
    #expect(files.sorted() == additionFixtures.map(\.name).sorted())
  }

  /// The fixtures whose problem a JSON Schema can express (the others need names,
  /// positions, other files or arithmetic): `schemas/manifest.schema.json` rejects them.
  static let schemaExpressible = [
    "gpus-not-list.yaml", "matrix-axis-empty.yaml", "matrix-axis-not-list.yaml", "matrix-in-defaults.yaml",
    "pool-bad-depth.yaml", "resources-bad.yaml", "retry-policy-bad.yaml", "secrets-bad-name.yaml",
    "var-bad-name.yaml",
  ]

  @Test("The manifest schema rejects what it can express", .serialized, arguments: schemaExpressible)
  func schema(_ name: String) async throws {
    let text = try String(contentsOfFile: Fixtures.path("invalid-additions", name), encoding: .utf8)
    let errors = try await SchemaValidator(schema: "manifest.schema.json").errors(inYAML: text)
    #expect(!errors.isEmpty)
  }
}
