import Glibc

/// Reads a manifest file and turns it into a validated ``Manifest``.
///
/// Every problem is collected before anything fails: syntax, keys and types, ids,
/// durations, and the dependency graph (unknown needs, self-needs, cycles).
public enum ManifestLoader {
  /// Loads and validates the manifest at `path`, and the manifests it includes;
  /// `variables` (`--var NAME=VALUE`) win over its `vars`.
  public static func load(path: String, variables: [String: String] = [:]) throws(ManifestError) -> Manifest {
    let bytes: [UInt8]
    do {
      bytes = try FileBytes.read(path)
    } catch {
      throw .unreadable(path: path, reason: error.why)
    }
    return try load(bytes: bytes, path: path, variables: variables)
  }

  /// Validates manifest text already in memory; `path` names it in diagnostics and
  /// locates the directory jobs run in (and the files it includes).
  public static func load(
    bytes: [UInt8], path: String, variables: [String: String] = [:]
  ) throws(ManifestError) -> Manifest {
    var assembly = ManifestAssembly(overrides: variables)
    guard let document = assembly.read(bytes: bytes, path: path) else {
      throw .invalid(assembly.diagnostics)
    }
    let diagnostics = assembly.finish()
    guard diagnostics.isEmpty else {
      throw .invalid(diagnostics)
    }
    var manifest = Manifest(
      path: path, directory: directory(of: path), name: document.name ?? baseName(of: path),
      concurrency: document.concurrency, shell: document.shell ?? Manifest.defaultShell,
      environment: document.environment, jobs: assembly.jobs, sha256: SHA256.hex(bytes),
      executor: document.executor)
    manifest.servesJobserver = document.jobserver ?? false
    manifest.variables = document.variables
    manifest.pools = assembly.pools.mapValues(\.depth)
    manifest.secrets = assembly.secrets
    manifest.gpus = document.gpus ?? []
    manifest.templates = assembly.templates
    return manifest
  }

  /// Whether `name` may be a variable's name (in `vars`, or given with `--var`).
  public static func isVariableName(_ name: String) -> Bool {
    ManifestDecoder.isVariableName(name)
  }

  /// The absolute directory holding `path`.
  static func directory(of path: String) -> String {
    let absolute = Environment.absolute(path)
    let slash = absolute.lastIndex(of: "/")!
    return slash == absolute.startIndex ? "/" : String(absolute[..<slash])
  }

  /// The file name without its directory and extension.
  static func baseName(of path: String) -> String {
    let file = path.split(separator: "/").last.map(String.init) ?? path
    guard let dot = file.lastIndex(of: "."), dot != file.startIndex else { return file }
    return String(file[..<dot])
  }

  /// The offset of the first byte that is not part of valid UTF-8, if any.
  static func firstInvalidUTF8(_ bytes: [UInt8]) -> Int? {
    var iterator = bytes.makeIterator()
    var decoder = UTF8()
    var offset = 0
    while true {
      switch decoder.decode(&iterator) {
      case .scalarValue(let scalar): offset += UTF8.width(scalar)
      case .emptyInput: return nil
      case .error: return offset
      }
    }
  }

  static func location(_ position: YAMLNode.Position, file: String) -> SourceLocation {
    SourceLocation(file: file, line: position.line, column: position.column)
  }

  static func location(ofByte offset: Int, in bytes: [UInt8], file: String) -> SourceLocation {
    let position = bytes.withUnsafeBufferPointer { YAMLComposer.position(ofByte: offset, in: $0) }
    return SourceLocation(file: file, line: position.line, column: position.column)
  }
}
