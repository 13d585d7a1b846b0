/// A position in a manifest file: 1-based line and column.
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
  /// The file as the user named it.
  public var file: String
  /// 1-based line.
  public var line: Int
  /// 1-based column, counted in Unicode scalars.
  public var column: Int

  init(file: String, line: Int, column: Int) {
    self.file = file
    self.line = line
    self.column = column
  }

  /// `line:column`, as used inside messages ("first defined at 4:3").
  var lineColumn: String { "\(line):\(column)" }

  public var description: String { "\(file):\(line):\(column)" }
}
