@testable import BatchrunKit
import Foundation
import Testing

/// The manifests under `Fixtures/`, copied into the test bundle.
enum Fixtures {
  /// The bundled `Fixtures` directory.
  static let directory: URL = {
    guard let url = Bundle.module.url(forResource: "Fixtures", withExtension: nil) else {
      fatalError("the Fixtures resource is missing from the test bundle")
    }
    return url
  }()

  /// The path of `Fixtures/<folder>/<name>`.
  static func path(_ folder: String, _ name: String) -> String {
    directory.appendingPathComponent(folder).appendingPathComponent(name).path
  }

  /// The names of the `.yaml` files in `Fixtures/<folder>`, sorted.
  static func names(in folder: String) throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent(folder).path)
      .filter { $0.hasSuffix(".yaml") }.sorted()
  }

  /// Loads `Fixtures/valid/<name>`, recording the diagnostics as an issue if it fails.
  static func valid(_ name: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws
    -> Manifest
  {
    do {
      return try ManifestLoader.load(path: path("valid", name))
    } catch {
      Issue.record(
        "\(name) should be valid:\n\(error.messages.joined(separator: "\n"))", sourceLocation: sourceLocation)
      throw error
    }
  }
}

/// The diagnostics loading `bytes` produces, or `nil` (and an issue) if it loads.
func diagnostics(
  loading bytes: [UInt8], path: String = "test.yaml",
  sourceLocation: Testing.SourceLocation = #_sourceLocation
) -> [Diagnostic]? {
  do {
    let manifest = try ManifestLoader.load(bytes: bytes, path: path)
    Issue.record(
      "expected \(path) to be invalid, but it loaded \(manifest.jobs.count) jobs",
      sourceLocation: sourceLocation)
    return nil
  } catch {
    guard case .invalid(let diagnostics) = error else {
      Issue.record("expected .invalid, got \(error)", sourceLocation: sourceLocation)
      return nil
    }
    #expect(error.exitCode == 65, sourceLocation: sourceLocation)
    return diagnostics
  }
}

/// Loads manifest `text` from memory, recording the diagnostics as an issue if it fails.
func load(
  _ text: String, path: String = "test.yaml", sourceLocation: Testing.SourceLocation = #_sourceLocation
) throws
  -> Manifest
{
  do {
    return try ManifestLoader.load(bytes: Array(text.utf8), path: path)
  } catch {
    Issue.record(
      "expected a valid manifest:\n\(error.messages.joined(separator: "\n"))", sourceLocation: sourceLocation)
    throw error
  }
}

extension Manifest {
  /// The job with `id`; records an issue and throws if there is none.
  func job(_ id: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws -> Job {
    try #require(jobs.first { $0.id == id }, "no job '\(id)'", sourceLocation: sourceLocation)
  }
}

extension Job {
  /// The job's environment as a dictionary.
  var environmentDictionary: [String: String] {
    Dictionary(environment.map { ($0.name, $0.value) }, uniquingKeysWith: { _, last in last })
  }
}

/// Builds jobs from `(id, needs)` pairs, each running `echo <id>`.
func makeJobs(_ spec: KeyValuePairs<String, [String]>) -> [Job] {
  spec.map { Job(id: $0.key, command: .shell("echo \($0.key)"), needs: $0.value) }
}

/// A manifest of `jobs` that did not come from a file.
func makeManifest(_ jobs: [Job], name: String = "test") -> Manifest {
  Manifest(path: "\(name).yaml", directory: ".", name: name, jobs: jobs)
}
