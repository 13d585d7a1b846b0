import Foundation

/// Checks JSON text against one of the repository's JSON Schemas (`schemas/*.json`),
/// with Python's `jsonschema` package (`scripts/test` installs it).
///
/// Self-contained (Foundation only) so that other test targets can share it: the
/// `schemas/` directory is found by walking up from this file to `Package.swift`.
public struct SchemaValidator: Sendable {
  /// Why validation could not be done at all (as opposed to the JSON being invalid).
  public struct Failure: Error, CustomStringConvertible {
    public var description: String
  }

  /// The schema's absolute path.
  public let schemaPath: String

  /// - Parameters:
  ///   - schema: a file name in the repository's `schemas/` directory.
  ///   - filePath: leave the default; it locates the repository.
  public init(schema: String = "report.schema.json", filePath: String = #filePath) throws {
    guard let root = Self.repositoryRoot(from: filePath) else {
      throw Failure(description: "no Package.swift above \(filePath)")
    }
    schemaPath = root.appendingPathComponent("schemas").appendingPathComponent(schema).path
    guard FileManager.default.fileExists(atPath: schemaPath) else {
      throw Failure(description: "no schema at \(schemaPath)")
    }
  }

  /// The nearest directory above `filePath` holding `Package.swift`.
  public static func repositoryRoot(from filePath: String) -> URL? {
    var directory = URL(fileURLWithPath: filePath).deletingLastPathComponent()
    while directory.path != "/" {
      if FileManager.default.fileExists(atPath: directory.appendingPathComponent("Package.swift").path) {
        return directory
      }
      directory = directory.deletingLastPathComponent()
    }
    return nil
  }

  /// Every way `json` breaks the schema, as `$.jobs[0].exit_code: message` lines; empty if it is valid.
  ///
  /// Text that is not JSON is one error at `$`.
  ///
  /// - Throws: ``Failure`` if python3 or jsonschema is missing, or the schema itself is invalid.
  public func errors(in json: String) async throws -> [String] {
    try await errors(in: json, format: "json")
  }

  /// Every way a YAML document breaks the schema (read with PyYAML, as editors' YAML
  /// language servers read it); a document that is not YAML is one error at `$`.
  public func errors(inYAML yaml: String) async throws -> [String] {
    try await errors(in: yaml, format: "yaml")
  }

  private func errors(in json: String, format: String) async throws -> [String] {
    let scratch = FileManager.default.temporaryDirectory
      .appendingPathComponent("schema-validator-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: scratch) }
    let instance = scratch.appendingPathComponent("instance.json")
    let output = scratch.appendingPathComponent("output.json")
    let diagnostics = scratch.appendingPathComponent("stderr.txt")
    try Data(json.utf8).write(to: instance)
    _ = FileManager.default.createFile(atPath: output.path, contents: nil)
    _ = FileManager.default.createFile(atPath: diagnostics.path, contents: nil)
    let outputHandle = try FileHandle(forWritingTo: output)
    defer { try? outputHandle.close() }
    let diagnosticsHandle = try FileHandle(forWritingTo: diagnostics)
    defer { try? diagnosticsHandle.close() }

    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", Self.script, schemaPath, instance.path, format]
    process.standardInput = FileHandle.nullDevice
    process.standardOutput = outputHandle
    process.standardError = diagnosticsHandle
    // Wait without blocking a thread of the concurrency pool (tests run in parallel).
    let status: Int32 = try await withCheckedThrowingContinuation { continuation in
      process.terminationHandler = { process in continuation.resume(returning: process.terminationStatus) }
      do {
        try process.run()
      } catch {
        process.terminationHandler = nil
        continuation.resume(throwing: Failure(description: "cannot run python3: \(error)"))
      }
    }
    let text = try Data(contentsOf: output)
    guard status == 0, let errors = try? JSONDecoder().decode([String].self, from: text) else {
      let stderr = (try? String(contentsOf: diagnostics, encoding: .utf8)) ?? ""
      throw Failure(
        description: "cannot check against \(schemaPath) (python3 exit \(status)):\n"
          + String(decoding: text, as: UTF8.self) + stderr)
    }
    return errors
  }

  /// Prints a JSON array of error lines; exits non-zero (with a message) if it cannot check.
  private static let script = """
    import json, sys
    try:
        import jsonschema
    except ImportError:
        sys.stderr.write("python3 cannot import jsonschema: pip install jsonschema (scripts/test does)\\n")
        sys.exit(3)
    with open(sys.argv[1]) as f:
        schema = json.load(f)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    with open(sys.argv[2]) as f:
        text = f.read()
    try:
        if sys.argv[3] == "yaml":
            import yaml
            instance = json.loads(json.dumps(yaml.safe_load(text), default=str))
        else:
            instance = json.loads(text)
    except Exception as error:
        print(json.dumps(["$: not %s: %s" % (sys.argv[3].upper(), error)]))
        sys.exit(0)
    validator = cls(schema, format_checker=jsonschema.FormatChecker())
    def where(error):
        return "$" + "".join("[%d]" % p if isinstance(p, int) else ".%s" % p for p in error.absolute_path)
    errors = sorted(validator.iter_errors(instance), key=lambda e: [str(p) for p in e.absolute_path])
    print(json.dumps(["%s: %s" % (where(e), e.message) for e in errors]))
    """
}
