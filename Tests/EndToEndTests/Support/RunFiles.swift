import Foundation
import TestSupport
import Testing

/// A run's files as a test reads them: the report (checked against the schema), the
/// journal and the logs.
struct RunFiles {
  let directory: URL
  let report: [String: Any]

  /// The run `latest` points at, under `stateDirectory`.
  init(latestIn stateDirectory: URL) async throws {
    let link = stateDirectory.appendingPathComponent("latest")
    let target = try FileManager.default.destinationOfSymbolicLink(atPath: link.path)
    try await self.init(directory: stateDirectory.appendingPathComponent(target).standardizedFileURL)
  }

  init(directory: URL) async throws {
    self.directory = directory
    let data = try Data(contentsOf: directory.appendingPathComponent("report.json"))
    try await Self.expectValid(data)
    report = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
  }

  /// Checks a report against `schemas/report.schema.json`.
  static func expectValid(_ data: Data) async throws {
    let errors = try await SchemaValidator().errors(in: String(decoding: data, as: UTF8.self))
    #expect(errors.isEmpty, "the report does not match the schema: \(errors)")
  }

  var status: String? { report["status"] as? String }
  var exitCode: Int? { report["exit_code"] as? Int }
  var jobs: [[String: Any]] { report["jobs"] as? [[String: Any]] ?? [] }
  var jobIDs: [String] { jobs.compactMap { $0["id"] as? String } }

  func job(_ id: String) throws -> [String: Any] {
    try #require(jobs.first { $0["id"] as? String == id }, "no job '\(id)' in the report")
  }

  func jobStatus(_ id: String) throws -> String? { try job(id)["status"] as? String }

  func attempts(_ id: String) throws -> [[String: Any]] { try job(id)["attempts"] as? [[String: Any]] ?? [] }

  /// The text of a log, by its path relative to the run directory.
  func log(_ relative: String) throws -> String {
    try String(contentsOf: directory.appendingPathComponent(relative), encoding: .utf8)
  }

  /// The journal's lines, parsed.
  func events() throws -> [[String: Any]] {
    let text = try String(contentsOf: directory.appendingPathComponent("events.jsonl"), encoding: .utf8)
    return try text.split(separator: "\n").map {
      try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
    }
  }
}
