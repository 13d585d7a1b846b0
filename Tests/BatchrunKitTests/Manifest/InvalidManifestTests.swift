@testable import BatchrunKit
import Foundation
import Testing

/// One diagnostic a fixture must produce: where, and a phrase of its message.
struct ExpectedDiagnostic: Sendable, CustomStringConvertible {
  var line: Int
  var column: Int
  var phrase: String

  var description: String { "\(line):\(column) \(phrase)" }
}

/// A file in `Fixtures/invalid` and every diagnostic it must produce, in order.
struct InvalidFixture: Sendable, CustomTestStringConvertible {
  var name: String
  var expected: [ExpectedDiagnostic]
  /// Set when the loader is known to get this one wrong: why.
  var knownIssue: String?

  init(_ name: String, _ expected: ExpectedDiagnostic..., knownIssue: String? = nil) {
    self.name = name
    self.expected = expected
    self.knownIssue = knownIssue
  }

  var testDescription: String { name }
}

/// `line:column` and a key phrase of the message.
private func at(_ line: Int, _ column: Int, _ phrase: String) -> ExpectedDiagnostic {
  ExpectedDiagnostic(line: line, column: column, phrase: phrase)
}

/// Every invalid fixture, with the exact position and a key phrase of each diagnostic.
let invalidFixtures: [InvalidFixture] = [
  // YAML syntax
  InvalidFixture(
    "yaml-syntax-error.yaml",
    at(5, 8, "YAML syntax error: did not find expected ',' or ']' while parsing a flow sequence")),
  InvalidFixture(
    "yaml-bad-indentation.yaml",
    at(4, 4, "YAML syntax error: did not find expected key while parsing a block mapping")),
  InvalidFixture(
    "yaml-tab-indentation.yaml", at(2, 1, "YAML syntax error: found character that cannot start any token")),
  InvalidFixture("yaml-unknown-alias.yaml", at(4, 10, "YAML syntax error: unknown alias '*missing'")),
  InvalidFixture(
    "yaml-two-documents.yaml", at(4, 1, "YAML syntax error: expected a single document, found another")),
  InvalidFixture(
    "control-character.yaml", at(4, 22, "YAML syntax error: control characters are not allowed")),
  InvalidFixture("non-utf8.yaml", at(3, 18, "the file is not valid UTF-8 (byte 0xe9 at offset 32)")),
  InvalidFixture(
    "non-utf8-after-multibyte.yaml", at(3, 23, "the file is not valid UTF-8 (byte 0xff at offset 38)")),
  // The document's shape
  InvalidFixture("empty-file.yaml", at(1, 1, "the manifest is empty; it needs at least a 'jobs' mapping")),
  InvalidFixture("only-comments.yaml", at(1, 1, "the manifest is empty")),
  InvalidFixture("top-level-list.yaml", at(1, 1, "the manifest must be a mapping, not a list")),
  InvalidFixture("missing-jobs.yaml", at(2, 1, "missing 'jobs': a manifest needs at least one job")),
  InvalidFixture("empty-jobs.yaml", at(2, 7, "'jobs' is empty; add at least one job")),
  InvalidFixture("jobs-null.yaml", at(2, 1, "'jobs' is empty; add at least one job")),
  InvalidFixture("jobs-list.yaml", at(2, 3, "'jobs' must be a mapping, not a list")),
  InvalidFixture(
    "duplicate-top-level-key.yaml", at(5, 1, "duplicate key 'name' in the manifest (first at 1:1)")),
  // Top-level keys
  InvalidFixture(
    "unknown-top-level-key.yaml",
    at(2, 1, "unknown key 'concurency' at the top level (did you mean 'concurrency'?)")),
  InvalidFixture(
    "unknown-top-level-synonym.yaml", at(1, 1, "missing 'jobs'"),
    at(2, 1, "unknown key 'tasks' at the top level (did you mean 'jobs'?)")),
  InvalidFixture("unknown-version.yaml", at(1, 10, "unknown version 2 (only version 1 is supported)")),
  InvalidFixture("version-string.yaml", at(1, 10, "'version' must be a whole number, not a string")),
  InvalidFixture("concurrency-zero.yaml", at(1, 14, "'concurrency' must be at least 1, got 0")),
  InvalidFixture(
    "concurrency-too-large.yaml", at(1, 14, "'concurrency' is too large: 100001 (at most 100000)")),
  InvalidFixture(
    "concurrency-not-number.yaml", at(1, 14, "'concurrency' must be a whole number, not a list")),
  InvalidFixture("shell-string.yaml", at(1, 8, "'shell' must be a list, not a string")),
  InvalidFixture("shell-empty.yaml", at(1, 8, "'shell' is empty")),
  InvalidFixture(
    "env-value-list.yaml", at(3, 10, "the value of 'PATHS' in 'env' must be a scalar, not a list")),
  // defaults
  InvalidFixture("defaults-run.yaml", at(2, 3, "'run' cannot be set in 'defaults'; set it on each job")),
  InvalidFixture("defaults-needs.yaml", at(3, 3, "'needs' cannot be set in 'defaults'; set it on each job")),
  InvalidFixture(
    "defaults-unknown-key.yaml", at(2, 3, "unknown key 'timout' in 'defaults' (did you mean 'timeout'?)")),
  // Job keys
  InvalidFixture(
    "unknown-job-key.yaml", at(6, 5, "unknown key 'dependss' in job 'test' (did you mean 'needs'?)")),
  InvalidFixture(
    // One diagnostic: the misspelt command key, not also "neither run nor argv".
    "unknown-job-key-synonym.yaml", at(3, 5, "unknown key 'command' in job 'build' (did you mean 'run'?)")),
  InvalidFixture("duplicate-key-in-job.yaml", at(5, 5, "duplicate key 'run' in job 'build' (first at 3:5)")),
  InvalidFixture("missing-run.yaml", at(4, 3, "job 'build' has neither 'run' nor 'argv'")),
  InvalidFixture("job-null.yaml", at(2, 3, "job 'build' has neither 'run' nor 'argv'")),
  InvalidFixture(
    "job-scalar.yaml",
    at(
      2, 10,
      "job 'build' must be a mapping of job keys, not a string (did you mean 'build: {run: make all}'?)")),
  InvalidFixture("both-run-and-argv.yaml", at(4, 5, "job 'build' has both 'run' and 'argv'; keep one")),
  InvalidFixture("run-list.yaml", at(3, 10, "'run' in job 'build' must be a string, not a list")),
  InvalidFixture("run-empty.yaml", at(3, 10, "'run' in job 'build' is empty")),
  InvalidFixture(
    "run-nul.yaml",
    at(
      3, 10,
      "'run' in job 'build' contains a NUL character (\\0), which would cut it short when passed to the"
        + " system; remove it")),
  InvalidFixture("argv-string.yaml", at(3, 11, "'argv' in job 'lint' must be a list, not a string")),
  InvalidFixture("argv-empty.yaml", at(3, 11, "'argv' in job 'lint' is empty")),
  // Wrong types
  InvalidFixture(
    "retries-not-number.yaml", at(4, 14, "'retries' in job 'fetch' must be a whole number, not a string")),
  InvalidFixture(
    "retries-fraction.yaml", at(4, 14, "'retries' in job 'fetch' must be a whole number, not '1.5'")),
  InvalidFixture("negative-retries.yaml", at(4, 14, "'retries' in job 'build' must be 0 or more, got -1")),
  InvalidFixture(
    "retries-too-large.yaml",
    at(4, 14, "'retries' in job 'build' is too large: 9223372036854775807 (at most 1000)")),
  InvalidFixture(
    "retries-beyond-int.yaml",
    at(2, 12, "'retries' in 'defaults' is too large: 99999999999999999999999 (at most 1000)")),
  InvalidFixture(
    "allow-failure-yes.yaml",
    at(4, 20, "'allow-failure' in job 'lint' must be true or false, not a string (write true)")),
  InvalidFixture(
    "allow-failure-string.yaml",
    at(4, 20, "'allow-failure' in job 'lint' must be true or false, not a string")),
  InvalidFixture("env-not-mapping.yaml", at(4, 10, "'env' in job 'build' must be a mapping, not a list")),
  InvalidFixture(
    "env-bad-name.yaml", at(5, 7, "invalid environment variable name 'CC=clang' in 'env' in job 'build'")),
  InvalidFixture(
    "needs-mapping.yaml", at(6, 12, "'needs' in job 'build' must be a list or a string, not a mapping")),
  InvalidFixture(
    "needs-item-list.yaml", at(6, 20, "items of 'needs' in job 'build' must be strings, not a list")),
  // Durations and `when`
  InvalidFixture("bad-duration.yaml", at(4, 14, "invalid duration '5 minutes' for 'timeout' in job 'build'")),
  InvalidFixture(
    "bad-duration-unit-order.yaml", at(4, 18, "invalid duration '30s1m' for 'retry-delay' in job 'build'")),
  InvalidFixture("negative-duration.yaml", at(4, 14, "invalid duration '-5s' for 'timeout' in job 'build'")),
  InvalidFixture(
    "timeout-too-large.yaml", at(4, 14, "'timeout' in job 'build' is too large: 9000h (at most 8760h)")),
  InvalidFixture(
    "retry-delay-too-large.yaml",
    at(5, 18, "'retry-delay' in job 'build' is too large: 40000000 (at most 8760h)")),
  InvalidFixture("duration-list.yaml", at(4, 14, "'timeout' in job 'build' must be a duration, not a list")),
  InvalidFixture(
    "bad-when.yaml",
    at(
      7, 11,
      "invalid 'when' in job 'cleanup': 'allways' (did you mean 'always'?); use on-success, always or on-failure"
    )
  ),
  // Merge keys
  InvalidFixture(
    "merge-key-scalar.yaml", at(3, 9, "a merge key '<<' takes a mapping or a list of mappings, not a string")),
  InvalidFixture("merge-key-list-scalar.yaml", at(5, 17, "a merge key '<<' takes mappings, not a number")),
  // Ids
  InvalidFixture(
    "bad-id-characters.yaml",
    at(2, 3, "invalid job id 'build step': use letters, digits, '_', '.' and '-'")),
  InvalidFixture("bad-id-leading-dot.yaml", at(2, 3, "invalid job id '.hidden'")),
  InvalidFixture("id-too-long.yaml", at(2, 3, "is longer than 128 characters")),
  InvalidFixture(
    "id-attempt-suffix.yaml",
    at(
      5, 3,
      "job id 'build.attempt-2' ends in '.attempt-2', which is reserved for retry logs"
        + " (logs/<job>.attempt-<n>.log); rename it, e.g. 'build-attempt-2'")),
  InvalidFixture("duplicate-job-id.yaml", at(6, 3, "duplicate job id 'build' (first defined at 2:3)")),
  InvalidFixture(
    "duplicate-job-with-errors.yaml", at(4, 3, "duplicate job id 'build' (first defined at 2:3)"),
    at(6, 5, "duplicate key 'run' in job 'build' (first at 5:5)"),
    at(7, 5, "unknown key 'timout' in job 'build'")),
  // The dependency graph
  InvalidFixture(
    "unknown-need.yaml", at(6, 13, "job 'deploy' needs 'biuld', which is not a job (did you mean 'build'?)")),
  InvalidFixture(
    "unknown-need-string.yaml",
    at(6, 12, "job 'build' needs 'fetsh', which is not a job (did you mean 'fetch'?)")),
  InvalidFixture("self-need.yaml", at(4, 13, "job 'build' needs itself")),
  InvalidFixture("cycle-two.yaml", at(2, 3, "dependency cycle: a -> b -> a")),
  InvalidFixture("cycle-three.yaml", at(4, 3, "dependency cycle: a -> b -> c -> a")),
  InvalidFixture(
    "cycle-two-separate.yaml", at(2, 3, "dependency cycle: a -> b -> a"),
    at(10, 3, "dependency cycle: x -> z -> y -> x")),
  // Everything at once, sorted by position though found in different passes.
  InvalidFixture(
    "several-errors.yaml",
    at(2, 1, "unknown key 'concurency' at the top level (did you mean 'concurrency'?)"),
    at(6, 13, "job 'build' needs 'fecth', which is not a job"),
    at(9, 14, "'retries' in job 'test' must be 0 or more, got -2"),
    at(10, 14, "invalid duration 'soon' for 'timeout' in job 'test'"),
    at(11, 3, "duplicate job id 'test' (first defined at 7:3)"),
    at(14, 11, "'argv' in job 'lint' must be a list, not a string"),
    at(15, 11, "invalid 'when' in job 'lint': 'sometimes'; use on-success, always or on-failure")),
]

@Suite("Invalid manifests")
struct InvalidManifestTests {
  @Test("Each invalid fixture gives exactly its diagnostics", arguments: invalidFixtures)
  func fixture(_ fixture: InvalidFixture) throws {
    let path = Fixtures.path("invalid", fixture.name)
    let error = #expect(throws: ManifestError.self) { try ManifestLoader.load(path: path) }
    guard case .invalid(let diagnostics) = error else {
      Issue.record("expected .invalid, got \(String(describing: error))")
      return
    }
    #expect(error?.exitCode == 65)
    #expect(error?.messages == diagnostics.map(\.description))
    let check = {
      #expect(
        diagnostics.map { "\($0.location?.line ?? 0):\($0.location?.column ?? 0)" }
          == fixture.expected.map { "\($0.line):\($0.column)" },
        "positions of \(diagnostics.map(\.description))")
      for (diagnostic, expected) in zip(diagnostics, fixture.expected) {
        #expect(diagnostic.message.contains(expected.phrase), "\(diagnostic) should say \(expected.phrase)")
      }
    }
    if let knownIssue = fixture.knownIssue {
      withKnownIssue(Comment(rawValue: knownIssue)) { check() }
    } else {
      check()
    }
    for diagnostic in diagnostics {
      #expect(diagnostic.severity == .error)
      #expect(diagnostic.location?.file == path)
      #expect(diagnostic.description.hasPrefix("\(path):\(diagnostic.location?.lineColumn ?? "?"): error: "))
    }
  }

  @Test("Every file in Fixtures/invalid is in the table, and there are enough of them")
  func tableCoversFolder() throws {
    let files = try Fixtures.names(in: "invalid")
    #expect(files == invalidFixtures.map(\.name).sorted())
    #expect(files.count >= 32)
  }

  @Test("The several-errors fixture reports all problems in one pass, sorted by position")
  func allErrorsSorted() throws {
    let error = #expect(throws: ManifestError.self) {
      try ManifestLoader.load(path: Fixtures.path("invalid", "several-errors.yaml"))
    }
    guard case .invalid(let diagnostics) = error else {
      Issue.record("expected .invalid, got \(String(describing: error))")
      return
    }
    #expect(diagnostics.count == 7)
    #expect(diagnostics == diagnostics.sorted())
    let positions = diagnostics.compactMap { $0.location.map { ($0.line, $0.column) } }
    #expect(zip(positions, positions.dropFirst()).allSatisfy { $0 < $1 })
  }

  @Test("Bytes that are not UTF-8 are reported at their line and column, written from the test")
  func nonUTF8Bytes() throws {
    var bytes = Array("jobs:\n  build:\n    run: make\n  test:\n    run: echo ".utf8)
    bytes += [0xC3]  // a lead byte with no continuation
    bytes += Array("\n".utf8)
    let found = try #require(diagnostics(loading: bytes, path: "bytes.yaml"))
    #expect(
      found.map(\.description) == [
        "bytes.yaml:5:15: error: the file is not valid UTF-8 (byte 0xc3 at offset 51); save it as UTF-8"
      ])
  }

  @Test("A reader error is reported at the line of the offending character")
  func controlCharacterPosition() throws {
    let bytes = Array("jobs:\n  build:\n    run: a\u{0}b\n".utf8)
    let found = try #require(diagnostics(loading: bytes))
    #expect(found.count == 1)
    #expect(found.first?.location?.lineColumn == "3:11")
  }

  @Test("A missing file is unreadable, exit 66")
  func missingFile() throws {
    let path = Fixtures.path("invalid", "no-such-file.yaml")
    let error = #expect(throws: ManifestError.self) { try ManifestLoader.load(path: path) }
    guard case .unreadable(let reported, let reason) = error else {
      Issue.record("expected .unreadable, got \(String(describing: error))")
      return
    }
    #expect(reported == path)
    #expect(reason == "No such file or directory")
    #expect(error?.exitCode == 66)
    #expect(error?.messages == ["batchrun: error: cannot read manifest '\(path)': No such file or directory"])
  }

  @Test("A directory is unreadable, exit 66")
  func directory() throws {
    let path = Fixtures.directory.path
    let error = #expect(throws: ManifestError.self) { try ManifestLoader.load(path: path) }
    #expect(error?.exitCode == 66)
    #expect(error?.messages == ["batchrun: error: cannot read manifest '\(path)': it is a directory"])
  }

  @Test(
    "Type errors name the kind of value found",
    arguments: [
      ("retries: 1.5", "not '1.5'"), ("retries: true", "not a boolean"), ("retries: ~", "not null"),
      ("retries: '3'", "not a string"), ("retries: {a: 1}", "not a mapping"), ("retries: [1]", "not a list"),
    ])
  func kindDescriptions(_ line: String, _ phrase: String) throws {
    let text = "jobs:\n  a:\n    run: x\n    \(line)\n"
    let found = try #require(diagnostics(loading: Array(text.utf8)))
    #expect(found.count == 1)
    #expect(found.first?.message == "'retries' in job 'a' must be a whole number, \(phrase)")
    #expect(found.first?.location?.lineColumn == "4:14")
  }

  @Test(
    "An id ending in .attempt-<digits> is reserved for retry logs, with a rename to suggest",
    arguments: [
      ("a.attempt-1", ".attempt-1", "a-attempt-1"), ("a.attempt-007", ".attempt-007", "a-attempt-007"),
      ("x.attempt-2.attempt-3", ".attempt-3", "x.attempt-2-attempt-3"),
      ("_.attempt-99999999999999999999", ".attempt-99999999999999999999", "_-attempt-99999999999999999999"),
    ])
  func reservedIdentifier(_ id: String, _ suffix: String, _ rename: String) throws {
    let text = "jobs:\n  \(id):\n    run: x\n  after:\n    run: y\n    needs: \(id)\n"
    let found = try #require(diagnostics(loading: Array(text.utf8)))
    #expect(
      found.map(\.description) == [
        "test.yaml:2:3: error: job id '\(id)' ends in '\(suffix)', which is reserved for retry logs"
          + " (logs/<job>.attempt-<n>.log); rename it, e.g. '\(rename)'"
      ], "one diagnostic: the job still counts, so the need on it is known")
    #expect(JobIdentifier.reservedSuffix(of: rename) == nil)
    #expect(JobIdentifier.isValid(rename))
  }

  @Test("An invalid id's suggestion is never a reserved one")
  func suggestionIsNotReserved() throws {
    #expect(JobIdentifier.suggestion(for: "my job.attempt-2") == "my-job-attempt-2")
  }

  @Test(
    "A NUL character in what reaches the system is a diagnostic at the value",
    arguments: [
      ("jobs: {a: {run: \"before\\0after\"}}", "1:17", "'run' in job 'a'"),
      ("jobs: {a: {argv: [echo, \"a\\0b\"]}}", "1:25", "an item of 'argv' in job 'a'"),
      ("shell: [/bin/sh, \"-c\\0\"]\njobs: {a: {run: x}}", "1:18", "an item of 'shell'"),
      ("jobs: {a: {run: x, cwd: \"src\\0\"}}", "1:25", "'cwd' in job 'a'"),
      ("defaults: {cwd: \"\\0\"}\njobs: {a: {run: x}}", "1:17", "'cwd' in 'defaults'"),
      ("env: {\"A\\0B\": x}\njobs: {a: {run: x}}", "1:7", "the variable name 'A\\0B' in 'env'"),
      ("jobs: {a: {run: x, env: {A: \"x\\0y\"}}}", "1:29", "the value of 'A' in 'env' in job 'a'"),
      (
        "defaults: {env: {A: \"\\0\"}}\njobs: {a: {run: x}}", "1:21",
        "the value of 'A' in 'env' in 'defaults'"
      ),
    ])
  func nulCharacter(_ text: String, _ position: String, _ what: String) throws {
    let found = try #require(diagnostics(loading: Array(text.utf8)))
    #expect(
      found.map(\.description) == [
        "test.yaml:\(position): error: \(what) contains a NUL character (\\0), which would cut it short"
          + " when passed to the system; remove it"
      ])
  }

  @Test("A NUL in an invalid id is shown escaped, not written to the terminal")
  func nulInIdentifier() throws {
    let found = try #require(diagnostics(loading: Array("jobs: {\"a\\0b\": {run: x}}".utf8)))
    #expect(found.map(\.message).first?.hasPrefix("invalid job id 'a\\0b': use letters") == true, "\(found)")
  }

  @Test("A job with a problem is still a job: needs on it are not reported as unknown")
  func brokenJobsStillCount() throws {
    let text = """
      jobs:
        build:
          timeout: soon
        bad id:
          run: x
        test:
          run: make test
          needs: [build, bad id]
      """
    let found = try #require(diagnostics(loading: Array(text.utf8)))
    #expect(found.map { $0.location?.lineColumn ?? "" } == ["2:3", "3:14", "4:3"])
    #expect(!found.contains { $0.message.contains("which is not a job") })
  }
}
