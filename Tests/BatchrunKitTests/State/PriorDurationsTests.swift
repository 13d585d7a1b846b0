@testable import BatchrunKit
import Foundation
import Testing

@Suite("Prior durations")
struct PriorDurationsTests {
  static func manifest(_ path: String) throws -> Manifest {
    try ManifestLoader.load(
      bytes: Array(
        "jobs:\n  a: {run: x}\n  b: {run: x}\n  c: {run: x}\n  d: {run: x}\n  e: {run: x}\n  f: {run: x}\n"
          .utf8),
      path: path)
  }

  @Test("recorded, kept through runs where nothing ran, per manifest")
  func recordAndLoad() throws {
    let scratch = try ScratchDirectory()
    let first = try Self.manifest("/m.yaml")
    let second = try Self.manifest("/other/m.yaml")
    #expect(try PriorDurations.load(stateDirectory: scratch.path, manifest: first) == nil, "no file yet")

    try PriorDurations.record(["ok": 0.25, "slow": 3], manifest: first, stateDirectory: scratch.path)
    #expect(
      try PriorDurations.load(stateDirectory: scratch.path, manifest: first)?.seconds == [
        "ok": 0.25, "slow": 3,
      ])
    #expect(try PriorDurations.load(stateDirectory: scratch.path, manifest: second) == nil)

    // A run where nothing succeeded (all up to date, say) leaves them as they are.
    let file = scratch.path + "/cache/durations.json"
    let before = try FileManager.default.attributesOfItem(atPath: file)[.modificationDate] as? Date
    try PriorDurations.record([:], manifest: first, stateDirectory: scratch.path)
    #expect(try FileManager.default.attributesOfItem(atPath: file)[.modificationDate] as? Date == before)

    // A later success replaces its job's duration, the others stay; the largest a report
    // holds reads back; another manifest's are its own.
    try PriorDurations.record(["ok": 1e12, "new": 0.001], manifest: first, stateDirectory: scratch.path)
    try PriorDurations.record(["ok": 7], manifest: second, stateDirectory: scratch.path)
    #expect(
      try PriorDurations.load(stateDirectory: scratch.path, manifest: first)?.seconds
        == ["ok": 1e12, "slow": 3, "new": 0.001])
    #expect(try PriorDurations.load(stateDirectory: scratch.path, manifest: second)?.seconds == ["ok": 7])
  }

  @Test("a damaged file is a failure naming it, and the next record replaces it")
  func damaged() throws {
    let scratch = try ScratchDirectory()
    let manifest = try Self.manifest("/m.yaml")
    try scratch.write("cache/durations.json", #"{"manifests": [1e300"#)
    do {
      _ = try PriorDurations.load(stateDirectory: scratch.path, manifest: manifest)
      Issue.record("a damaged file gave durations")
    } catch {
      #expect(
        "\(error)".hasPrefix("cannot use /") && "\(error)".hasSuffix("/cache/durations.json: it is damaged"))
    }
    try PriorDurations.record(["ok": 0.25], manifest: manifest, stateDirectory: scratch.path)
    #expect(
      try PriorDurations.load(stateDirectory: scratch.path, manifest: manifest)?.seconds == ["ok": 0.25])
  }

  @Test("weights are finite whatever the durations; a job without one weighs the mean")
  func weights() throws {
    let odd = PriorDurations(seconds: ["a": .infinity, "b": 1e300, "c": -5, "d": .nan, "e": 2])
    for job in try Self.manifest("/m.yaml").jobs {
      #expect(
        odd.weight(job) == 2, "\(job.id): only the usable duration counts, and is the mean for the rest")
    }
  }
}
