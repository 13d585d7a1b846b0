import Foundation
import TestSupport
import TestSupport
import Testing

/// `schemas/manifest.schema.json`, for editors: every shipped manifest and valid fixture
/// passes it, and every invalid fixture whose problem a schema can express fails it.
@Suite("Manifest JSON Schema")
struct ManifestSchemaTests {
  static let root = SchemaValidator.repositoryRoot(from: #filePath)!

  static func yamlFiles(_ relative: String) -> [String] {
    let directory = root.appendingPathComponent(relative)
    let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
    return names.filter { $0.hasSuffix(".yaml") }.sorted().map { directory.appendingPathComponent($0).path }
  }

  /// Invalid fixtures a JSON Schema cannot catch: the graph (cycles, unknown or self
  /// needs), duplicate keys (gone once parsed), YAML 1.1's `yes` (a boolean to PyYAML),
  /// bytes that are not UTF-8 (decoded with replacement characters here), and a duration
  /// written with units that adds up to more than the maximum (a pattern cannot add).
  static let beyondTheSchema: Set<String> = [
    "cycle-three.yaml", "cycle-two-separate.yaml", "cycle-two.yaml", "self-need.yaml", "unknown-need.yaml",
    "unknown-need-string.yaml", "duplicate-job-id.yaml", "duplicate-key-in-job.yaml",
    "duplicate-top-level-key.yaml", "allow-failure-yes.yaml", "non-utf8.yaml",
    "non-utf8-after-multibyte.yaml", "timeout-too-large.yaml",
  ]

  @Test(arguments: yamlFiles("manifests") + yamlFiles("Tests/BatchrunKitTests/Fixtures/valid"))
  func validManifestsPass(_ path: String) async throws {
    let text = try String(contentsOfFile: path, encoding: .utf8)
    let errors = try await SchemaValidator(schema: "manifest.schema.json").errors(inYAML: text)
    #expect(errors.isEmpty, "\(path): \(errors)")
  }

  @Test(arguments: yamlFiles("Tests/BatchrunKitTests/Fixtures/invalid"))
  func invalidManifestsFail(_ path: String) async throws {
    let name = URL(fileURLWithPath: path).lastPathComponent
    let text = String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self)
    let errors = try await SchemaValidator(schema: "manifest.schema.json").errors(inYAML: text)
    let notYAML = errors.first?.hasPrefix("$: not YAML") ?? false
    if Self.beyondTheSchema.contains(name) {
      #expect(errors.isEmpty, "\(name) is listed as beyond the schema but fails it: \(errors)")
    } else if Self.notYAML.contains(name) {
      #expect(notYAML, "\(name) is listed as not YAML but reads as YAML: \(errors)")
    } else {
      #expect(!errors.isEmpty && !notYAML, "\(name) should fail the schema itself: \(errors)")
    }
  }

  /// Invalid fixtures that PyYAML cannot read at all (syntax, characters, merge keys of
  /// the wrong kind): no schema is involved.
  static let notYAML: Set<String> = [
    "control-character.yaml", "merge-key-list-scalar.yaml", "merge-key-scalar.yaml",
    "yaml-bad-indentation.yaml",
    "yaml-syntax-error.yaml", "yaml-tab-indentation.yaml", "yaml-two-documents.yaml",
    "yaml-unknown-alias.yaml",
  ]

  @Test("the folders of manifests and fixtures are found (the tests above run on them)")
  func foldersFound() {
    #expect(Self.yamlFiles("manifests").count >= 3)
    #expect(Self.yamlFiles("Tests/BatchrunKitTests/Fixtures/valid").count >= 10)
    #expect(Self.yamlFiles("Tests/BatchrunKitTests/Fixtures/invalid").count >= 32)
  }

  @Test func everyJobKeyIsInTheSchema() throws {
    let data = try Data(contentsOf: Self.root.appendingPathComponent("schemas/manifest.schema.json"))
    let schema = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    let definitions = try #require(schema["definitions"] as? [String: Any])
    let job = try #require(definitions["job"] as? [String: Any])
    let keys = Set((job["properties"] as? [String: Any] ?? [:]).keys)
    #expect(
      keys == [
        "run", "argv", "needs", "env", "cwd", "timeout", "retries", "retry-delay", "allow-failure", "when",
        "description", "matrix", "resources", "pool", "inputs", "outputs", "dotenv", "retry-backoff",
        "retry-max-delay", "retry-on",
      ])
    let top = Set((schema["properties"] as? [String: Any] ?? [:]).keys)
    #expect(
      top == [
        "version", "name", "concurrency", "shell", "env", "defaults", "jobs", "vars", "dotenv", "secrets",
        "include", "pools", "gpus", "executor", "jobserver",
      ])
  }
}
