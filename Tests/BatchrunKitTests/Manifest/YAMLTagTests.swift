@testable import BatchrunKit
import Testing

/// Explicit YAML tags: the core schema's are honoured, any other is a diagnostic.
@Suite("YAML tags")
struct YAMLTagTests {
  @Test("Core tags decide what a scalar is: !!int \"2\" is 2, !!str ~ is '~', full forms too")
  func coreTagsHonoured() throws {
    let manifest = try load(
      """
      concurrency: !<tag:yaml.org,2002:int> "3"
      jobs: !!map
        a:
          run: !!str 5
          retries: !!int "2"
          allow-failure: !!bool "true"
          timeout: !!float 1.5
          env: {EMPTY: !!null "", TILDE: !!str ~, PLAIN: ~, NUMBER: !!int 0x10}
          cwd: ! 5
        b:
          argv: !!seq [echo, !!str true]
          needs: !!seq [a]
          retries: !!int 0o17
          description: !!str
      """)
    #expect(manifest.concurrency == 3)
    let a = try manifest.job("a")
    #expect(a.command == .shell("5"))
    #expect(a.retries == 2)
    #expect(a.allowFailure)
    #expect(a.timeout == .milliseconds(1500))
    #expect(a.environmentDictionary == ["EMPTY": "", "TILDE": "~", "PLAIN": "", "NUMBER": "0x10"])
    #expect(a.cwd == "5", "the non-specific tag '!' makes a scalar a string")
    let b = try manifest.job("b")
    #expect(b.command == .argv(["echo", "true"]))
    #expect(b.needs == ["a"])
    #expect(b.retries == 15)
    #expect(b.description == "")
  }

  @Test(
    "A value tagged !!str is the string it says, with the same diagnostic as a quoted one",
    arguments: [
      ("retries: !!str 5", "retries: \"5\""), ("allow-failure: !!str true", "allow-failure: 'true'"),
      ("retries: !<tag:yaml.org,2002:str> 5", "retries: '5'"), ("retries: ! 5", "retries: '5'"),
    ])
  func stringTagIsAString(_ tagged: String, _ quoted: String) throws {
    let found = try #require(diagnostics(loading: Array("jobs:\n  a:\n    run: x\n    \(tagged)\n".utf8)))
    let expected = try #require(diagnostics(loading: Array("jobs:\n  a:\n    run: x\n    \(quoted)\n".utf8)))
    #expect(found.map(\.description) == expected.map(\.description))
    #expect(found.count == 1)
  }

  @Test(
    "A core tag that does not fit its value is one diagnostic, at the value",
    arguments: [
      ("retries: !!int abc", "'abc' is tagged !!int but is not an integer"),
      ("retries: !!int 1.5", "'1.5' is tagged !!int but is not an integer"),
      ("allow-failure: !!bool yes", "'yes' is tagged !!bool but is not true or false"),
      ("timeout: !!float soon", "'soon' is tagged !!float but is not a number"),
      ("description: !!null x", "'x' is tagged !!null but is not null"),
      ("run: !!seq x", "'x' is tagged !!seq but is not a list"),
      ("env: !!seq {A: 1}", "a mapping is tagged !!seq but is not a list"),
      ("needs: !!map [b]", "a list is tagged !!map but is not a mapping"),
      ("argv: !!str [x]", "a list is tagged !!str but is not a string"),
    ])
  func mismatchedTag(_ line: String, _ message: String) throws {
    let found = try #require(diagnostics(loading: Array(Self.job(with: line).utf8)))
    let column = line.distance(from: line.startIndex, to: line.firstIndex(of: "!")!) + 5
    #expect(found.map(\.description) == ["test.yaml:3:\(column): error: \(message)"])
  }

  @Test(
    "Any other tag is a diagnostic naming it and saying only core tags are supported",
    arguments: [
      ("run: !!binary aGVsbG8=", "!!binary"), ("run: !!timestamp 2026-12-02", "!!timestamp"),
      ("run: !custom x", "!custom"), ("run: !<tag:example.com,2026:job> x", "!<tag:example.com,2026:job>"),
      ("env: !!omap [A: 1]", "!!omap"), ("x-notes: !!set {a: ~}", "!!set"),
    ])
  func unsupportedTag(_ line: String, _ written: String) throws {
    let found = try #require(diagnostics(loading: Array(Self.job(with: line).utf8)))
    let column = line.distance(from: line.startIndex, to: line.firstIndex(of: "!")!) + 5
    #expect(
      found.map(\.description) == [
        "test.yaml:3:\(column): error: unsupported tag \(written): only the YAML 1.2 core schema's tags"
          + " are supported (!!str, !!int, !!float, !!bool, !!null, !!seq, !!map); remove it"
      ])
  }

  @Test("A tagged '<<' key is a plain key, not a merge")
  func taggedMergeKeyIsAKey() throws {
    let text = "x-base: &base {retries: 1}\njobs:\n  a:\n    run: x\n    !!str <<: *base\n"
    let found = try #require(diagnostics(loading: Array(text.utf8)))
    #expect(found.map(\.description) == ["test.yaml:5:5: error: unknown key '<<' in job 'a'"])
  }

  /// A manifest whose job `a` has `line` on line 3 (and a `run` if `line` is no command),
  /// beside a job `b`.
  static func job(with line: String) -> String {
    let command = line.hasPrefix("run:") || line.hasPrefix("argv:") ? "" : "    run: x\n"
    return "jobs:\n  a:\n    \(line)\n\(command)  b:\n    run: x\n"
  }
}
