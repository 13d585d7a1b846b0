/// A problem the user can fix, with the place it was found.
///
/// Its description has the compiler form `file:line:col: error: message`.
public struct Diagnostic: Sendable, Hashable, CustomStringConvertible {
  /// How bad the problem is.
  public enum Severity: String, Sendable, Hashable {
    case error
    case warning
    case note
  }

  var severity: Severity
  /// Where the problem is; `nil` for problems outside any file (a command-line target).
  public var location: SourceLocation?
  /// The file the problem belongs to, when there is no precise location.
  var file: String?
  var message: String

  public init(
    _ severity: Severity = .error, at location: SourceLocation?, file: String? = nil, _ message: String
  ) {
    self.severity = severity
    self.location = location
    self.file = file ?? location?.file
    self.message = message
  }

  /// The text before the severity: `file:line:col` or `file`, or `batchrun`.
  var prefix: String {
    if let location { return location.description }
    return file ?? "batchrun"
  }

  public var description: String { "\(prefix): \(severity.rawValue): \(message)" }
}

extension Diagnostic: Comparable {
  /// Orders diagnostics by file position, so that output reads top to bottom.
  public static func < (lhs: Diagnostic, rhs: Diagnostic) -> Bool {
    let l = lhs.location.map { ($0.line, $0.column) } ?? (Int.max, Int.max)
    let r = rhs.location.map { ($0.line, $0.column) } ?? (Int.max, Int.max)
    return l < r
  }
}
