import BatchrunKit
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
  AdditionFixture("gpus-not-list.yaml", at(1, 7, "'gpus' must be a list, not a number")),
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
      #expect(diagnostic.location?.line == expected.line, "\(diagnostic)")
      #expect(diagnostic.location?.column == expected.column, "\(diagnostic)")
      #expect(diagnostic.message == expected.phrase)
    }
  }

  @Test("Every file in Fixtures/invalid-additions is in the table")
  func tableCoversFolder() throws {
    #expect(try Fixtures.names(in: "invalid-additions") == additionFixtures.map(\.name).sorted())
  }
}
