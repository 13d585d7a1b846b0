import BatchrunKit
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
