/// `${{ vars.NAME }}`, `${{ matrix.AXIS }}` and `${{ job.id }}` replaced in a value, each
/// unknown name a diagnostic at its own line and column (docs/manifest.md, "Interpolation").
extension ManifestDecoder {
  /// What references may name where a value is used.
  struct Scope {
    var variables: [String: String]
    /// The job's axis values, for an expansion of a `matrix` job.
    var matrix: [String: String]?
    var axes: [String] = []
    /// `job.id`, inside a job.
    var jobID: String?
    /// The job the value is in (the matrix job, for an expansion); `nil` at the top level.
    var job: String?

    init(
      variables: [String: String], matrix: [String: String]? = nil, axes: [String] = [], jobID: String? = nil,
      job: String? = nil
    ) {
      self.variables = variables
      self.matrix = matrix
      self.axes = axes
      self.jobID = jobID
      self.job = job
    }

    /// Where the value is, for messages: "in job 'x'", "at the top level" (made only
    /// for a message: 100,000 jobs would each pay for it).
    var owner: String { job.map { "in job '\($0)'" } ?? "at the top level" }
  }

  /// `text` with its references replaced; an unknown one is reported and left out.
  mutating func interpolate(_ text: Text, _ scope: Scope) -> String {
    guard Interpolation.mayContain(text.text) else { return text.text }
    let pieces: [Interpolation.Piece]
    do {
      pieces = try Interpolation.pieces(of: text.text)
    } catch {
      report(
        referencePosition(text, index: error.index, name: false),
        "'${{' without a closing '}}' \(scope.owner); write '$${{' for a literal '${{'")
      return text.text
    }
    var result = ""
    for piece in pieces {
      switch piece {
      case .literal(let literal): result += literal
      case .reference(let name, let index):
        switch lookUp(name, scope) {
        case .success(let value): result += value
        case .failure(let problem): report(referencePosition(text, index: index, name: true), problem.message)
        }
      }
    }
    return result
  }

  /// Why a reference has no value.
  struct UnknownName: Error {
    var message: String
  }

  func lookUp(_ name: String, _ scope: Scope) -> Result<String, UnknownName> {
    let parts = name.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
    let key = parts.count == 2 ? String(parts[1]) : ""
    func unknown(_ message: String) -> Result<String, UnknownName> { .failure(UnknownName(message: message)) }
    switch parts.first {
    case "vars":
      if let value = scope.variables[key] { return .success(value) }
      let hint = Suggestion.closest(to: key, in: scope.variables.keys.sorted()).map {
        " (did you mean 'vars.\($0)'?)"
      }
      return unknown(
        "unknown variable 'vars.\(key)' \(scope.owner)"
          + (hint ?? "; define it under 'vars' or with --var \(key.isEmpty ? "NAME" : key)=VALUE"))
    case "matrix":
      guard let matrix = scope.matrix else {
        return unknown("'matrix.\(key)' is used \(scope.owner), which has no 'matrix'")
      }
      if let value = matrix[key] { return .success(value) }
      return unknown(
        "unknown matrix axis 'matrix.\(key)' \(scope.owner)"
          + (Suggestion.closest(to: key, in: scope.axes).map { " (did you mean 'matrix.\($0)'?)" }
            ?? "; its axes are \(scope.axes.joined(separator: ", "))"))
    case "job" where key == "id":
      if let id = scope.jobID { return .success(id) }
      return unknown("'job.id' cannot be used \(scope.owner), outside a job")
    default:
      return unknown(
        "unknown name '\(name)' in '${{ }}' \(scope.owner); write vars.NAME, matrix.AXIS or job.id"
          + " (or '$${{' for a literal '${{')")
    }
  }

  /// Reports an interpolation problem once, however many jobs share the value.
  mutating func report(_ position: YAMLNode.Position, _ message: String) {
    let diagnostic = Diagnostic(at: location(position), message)
    if reported.insert(diagnostic).inserted { diagnostics.append(diagnostic) }
  }

  /// Where reference `index` of `text` is written: at its name (or at its `${{` when
  /// `name` is false). Found by reading the source from the scalar's start, so that
  /// quotes and block scalars' indentation count; the scalar's start if not found.
  func referencePosition(_ text: Text, index: Int, name: Bool) -> YAMLNode.Position {
    guard !source.isEmpty else { return text.position }
    return source.withUnsafeBufferPointer { bytes -> YAMLNode.Position in
      var offset = 0
      var line = 1
      while line < text.position.line, offset < bytes.count {
        if bytes[offset] == UInt8(ascii: "\n") { line += 1 }
        offset += 1
      }
      var column = 1
      while column < text.position.column, offset < bytes.count {
        offset += 1
        while offset < bytes.count, bytes[offset] & 0xC0 == 0x80 { offset += 1 }
        column += 1
      }
      func at(_ i: Int, _ marker: String) -> Bool {
        var i = i
        for byte in marker.utf8 {
          guard i < bytes.count, bytes[i] == byte else { return false }
          i += 1
        }
        return true
      }
      var seen = 0
      while offset < bytes.count {
        if at(offset, "$${{") {
          offset += 4
        } else if at(offset, "${{") {
          if seen == index {
            var start = name ? offset + 3 : offset
            while name, start < bytes.count,
              bytes[start] == UInt8(ascii: " ") || bytes[start] == UInt8(ascii: "\t")
            {
              start += 1
            }
            return YAMLComposer.position(ofByte: start, in: bytes)
          }
          seen += 1
          offset += 3
        } else {
          offset += 1
        }
      }
      return text.position
    }
  }
}
