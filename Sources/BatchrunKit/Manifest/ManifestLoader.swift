import Glibc

/// Reads a manifest file and turns it into a validated ``Manifest``.
///
/// Every problem is collected before anything fails: syntax, keys and types, ids,
/// durations, and the dependency graph (unknown needs, self-needs, cycles).
public enum ManifestLoader {
  /// Loads and validates the manifest at `path`.
  public static func load(path: String) throws(ManifestError) -> Manifest {
    let bytes: [UInt8]
    do {
      bytes = try FileBytes.read(path)
    } catch {
      throw .unreadable(path: path, reason: error.why)
    }
    return try load(bytes: bytes, path: path)
  }

  /// Validates manifest text already in memory; `path` names it in diagnostics and
  /// locates the directory jobs run in.
  public static func load(bytes: [UInt8], path: String) throws(ManifestError) -> Manifest {
    if let bad = firstInvalidUTF8(bytes) {
      throw .invalid([
        Diagnostic(
          at: location(ofByte: bad, in: bytes, file: path),
          "the file is not valid UTF-8 (byte 0x\(String(bytes[bad], radix: 16)) at offset \(bad));"
            + " save it as UTF-8")
      ])
    }
    let yaml: YAMLComposer.Document
    do {
      yaml = try YAMLComposer.compose(bytes)
    } catch {
      throw .invalid([
        Diagnostic(at: location(error.position, file: path), "YAML syntax error: \(error.message)")
      ])
    }
    var decoder = ManifestDecoder(file: path)
    let document = decoder.decode(yaml.root)
    var diagnostics = decoder.diagnostics
    diagnostics += DependencyGraph.diagnose(document.jobs)
    if !yaml.tagProblems.isEmpty {
      // A value whose tag is reported (`retries: !!int abc`) gets no second diagnostic.
      let tagged = Set(yaml.tagProblems.map { location($0.position, file: path) })
      diagnostics.removeAll { $0.location.map(tagged.contains) ?? false }
      diagnostics += yaml.tagProblems.map { Diagnostic(at: location($0.position, file: path), $0.message) }
    }
    guard diagnostics.isEmpty else {
      throw .invalid(diagnostics.sorted())
    }
    return Manifest(
      path: path, directory: directory(of: path), name: document.name ?? baseName(of: path),
      concurrency: document.concurrency, shell: document.shell ?? Manifest.defaultShell,
      environment: document.environment, jobs: document.jobs, sha256: SHA256.hex(bytes),
      executor: document.executor)
  }

  /// The absolute directory holding `path`.
  static func directory(of path: String) -> String {
    var relative = Substring(path)
    while relative.hasPrefix("./") { relative = relative.dropFirst(2) }
    let absolute = path.hasPrefix("/") ? path : (Environment.currentDirectory ?? ".") + "/" + relative
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
