@testable import BatchrunKit
import Testing

/// Every number in a manifest has a range (``ManifestLimits``); values outside it, however
/// far, are diagnostics that show the number as written.
@Suite("Manifest limits")
struct ManifestLimitsTests {
  @Test("The ends of each range load")
  func rangeEnds() throws {
    let manifest = try load(
      "version: 1\nconcurrency: 100000\njobs:\n  most: {run: x, retries: 1000}\n  least: {run: x, retries: 0}\n"
    )
    #expect(manifest.concurrency == ManifestLimits.concurrency.upperBound)
    #expect(try manifest.job("most").retries == ManifestLimits.retries.upperBound)
    #expect(try manifest.job("least").retries == 0)
    #expect(try load("concurrency: 1\njobs: {a: {run: x}}").concurrency == 1)
    #expect(ManifestLimits.retries == 0...1000)
    #expect(ManifestLimits.concurrency == 1...100_000)
  }

  @Test(
    "Beyond a range, as far as Int goes and further, is one diagnostic naming the bound",
    arguments: [
      ("retries: 1001", "'retries' in job 'a' is too large: 1001 (at most 1000)"),
      ("retries: 0x3E9", "'retries' in job 'a' is too large: 0x3E9 (at most 1000)"),
      (
        "retries: !!int \"9223372036854775808\"",
        "'retries' in job 'a' is too large: 9223372036854775808 (at most 1000)"
      ),
      (
        "retries: 99999999999999999999999999999999999999",
        "'retries' in job 'a' is too large: 99999999999999999999999999999999999999 (at most 1000)"
      ),
      ("retries: -9223372036854775808", "'retries' in job 'a' must be 0 or more, got -9223372036854775808"),
      (
        "retries: -99999999999999999999999",
        "'retries' in job 'a' must be 0 or more, got -99999999999999999999999"
      ),
      ("retries: 1e3", "'retries' in job 'a' must be a whole number, not '1e3'"),
    ])
  func retriesOutOfRange(_ line: String, _ message: String) throws {
    let found = try #require(diagnostics(loading: Array("jobs:\n  a:\n    run: x\n    \(line)\n".utf8)))
    #expect(found.map(\.description) == ["test.yaml:4:14: error: \(message)"])
  }

  @Test(
    "A duration longer than 8760h is too large, in any form and wherever it is set",
    arguments: [
      ("timeout: 8761h", "'timeout' in job 'a' is too large: 8761h (at most 8760h)"),
      ("timeout: 31536001", "'timeout' in job 'a' is too large: 31536001 (at most 8760h)"),
      ("timeout: 1e400", "'timeout' in job 'a' is too large: 1e400 (at most 8760h)"),
      (
        "retry-delay: 99999999999999999999999s",
        "'retry-delay' in job 'a' is too large: 99999999999999999999999s (at most 8760h)"
      ),
      ("timeout: 5m 30s", "invalid duration '5m 30s' for 'timeout' in job 'a'"),
    ])
  func durationTooLarge(_ line: String, _ message: String) throws {
    let found = try #require(diagnostics(loading: Array("jobs:\n  a:\n    run: x\n    \(line)\n".utf8)))
    let column = line.distance(from: line.startIndex, to: line.firstIndex(of: ":")!) + 7
    #expect(found.count == 1)
    #expect(found.first?.location?.lineColumn == "4:\(column)")
    #expect(found.first?.message.hasPrefix(message) == true, "\(found)")
  }

  @Test("The longest duration loads, in defaults too")
  func longestDuration() throws {
    let manifest = try load("defaults: {timeout: 8760h, retry-delay: 31536000}\njobs: {a: {run: x}}")
    #expect(try manifest.job("a").timeout == DurationText.maximum)
    #expect(try manifest.job("a").retryDelay == DurationText.maximum)
  }

  // MARK: - Nesting

  /// `count` flow lists, one inside the next, with `inner` in the middle.
  static func lists(_ count: Int, around inner: String = "") -> String {
    String(repeating: "[", count: count) + inner + String(repeating: "]", count: count)
  }

  static let nestingMessage =
    "YAML syntax error: nesting is too deep (at most 100 levels of lists and mappings)"

  @Test("100 levels of lists and mappings load; the 101st is a diagnostic at its start")
  func nestingLimit() throws {
    // The document's mapping is the first level.
    _ = try load("x-deep: \(Self.lists(99))\njobs: {a: {run: x}}\n")
    let found = try #require(
      diagnostics(loading: Array("x-deep: \(Self.lists(100))\njobs: {a: {run: x}}\n".utf8)))
    #expect(found.map(\.description) == ["test.yaml:1:108: error: \(Self.nestingMessage)"])

    var block = ""
    for level in 0..<101 {
      block += String(repeating: "  ", count: level) + "k\(level):\n"
    }
    let deepBlock = try #require(
      diagnostics(loading: Array((block + String(repeating: "  ", count: 101) + "x\n").utf8)))
    #expect(deepBlock.map(\.description) == ["test.yaml:101:201: error: \(Self.nestingMessage)"])
  }

  @Test("libyaml's own nesting limit is reported in batchrun's words, at libyaml's position")
  func libyamlNestingLimit() throws {
    for text in [
      "a: \(Self.lists(2000))\n",
      "a: " + String(repeating: "{b: ", count: 2000) + "1" + String(repeating: "}", count: 2000),
    ] {
      let found = try #require(diagnostics(loading: Array(text.utf8)))
      #expect(found.count == 1)
      #expect(found.first?.message == Self.nestingMessage)
      #expect(found.first?.location?.line == 1)
      #expect(found.first.map { !$0.message.contains("yaml_") } == true)
    }
  }

  @Test("Aliases count: a node nested through an alias is as deep as if written out")
  func nestingThroughAliases() throws {
    // *a is 40 levels; inside 59 more lists and the document it makes 100, inside 60 it makes 101.
    _ = try load("x-a: &a \(Self.lists(40))\nx-b: \(Self.lists(59, around: "*a"))\njobs: {a: {run: x}}\n")
    let text = "x-a: &a \(Self.lists(40))\nx-b: \(Self.lists(60, around: "*a"))\njobs: {a: {run: x}}\n"
    let found = try #require(diagnostics(loading: Array(text.utf8)))
    #expect(found.map(\.description) == ["test.yaml:2:66: error: \(Self.nestingMessage)"])
  }

  @Test(
    "Anchors that each nest the one before are stopped at 100 levels, not by the stack",
    arguments: [(900, "1:110"), (90, "2:101")])
  func aliasChainIsBounded(_ levels: Int, _ position: String) throws {
    // Written out, 50 anchors of 900 levels each around the one before are 45,000 levels
    // deep: freeing such a tree once overflowed the stack (exit 139).
    var text = "x-a0: &a0 \(Self.lists(levels))\n"
    for layer in 1..<50 {
      text += "x-a\(layer): &a\(layer) \(Self.lists(levels, around: "*a\(layer - 1)"))\n"
    }
    let found = try #require(diagnostics(loading: Array((text + "jobs: {a: {run: x}}\n").utf8)))
    #expect(found.map(\.description) == ["test.yaml:\(position): error: \(Self.nestingMessage)"])
  }

  @Test(
    "Top-level numbers out of range",
    arguments: [
      ("concurrency: 100001", "'concurrency' is too large: 100001 (at most 100000)"),
      (
        "concurrency: 9223372036854775807", "'concurrency' is too large: 9223372036854775807 (at most 100000)"
      ),
      ("concurrency: -99999999999999999999", "'concurrency' must be at least 1, got -99999999999999999999"),
      ("version: 99999999999999999999", "unknown version 99999999999999999999 (only version 1 is supported)"),
      ("version: -1", "unknown version -1 (only version 1 is supported)"),
    ])
  func topLevelOutOfRange(_ line: String, _ message: String) throws {
    let found = try #require(diagnostics(loading: Array("\(line)\njobs: {a: {run: x}}\n".utf8)))
    let column = line.distance(from: line.startIndex, to: line.firstIndex(of: ":")!) + 3
    #expect(found.map(\.description) == ["test.yaml:1:\(column): error: \(message)"])
  }
}
