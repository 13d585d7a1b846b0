/// Formats diagnostics for a terminal or a log: compiler style, colour only when asked.
public struct DiagnosticPrinter: Sendable {
  var useColor: Bool

  public init(useColor: Bool) {
    self.useColor = useColor
  }

  /// One line per diagnostic, and a closing count when there are several.
  public func format(_ diagnostics: [Diagnostic]) -> String {
    var out = ""
    for diagnostic in diagnostics {
      out += format(diagnostic) + "\n"
    }
    let errors = diagnostics.filter { $0.severity == .error }.count
    if errors > 1 {
      out += "\(errors) errors\n"
    }
    return out
  }

  func format(_ diagnostic: Diagnostic) -> String {
    guard useColor else { return diagnostic.description }
    let color: ANSI.Style =
      switch diagnostic.severity {
      case .error: .boldRed
      case .warning: .boldMagenta
      case .note: .boldGray
      }
    return ANSI.paint("\(diagnostic.prefix):", .bold) + " "
      + ANSI.paint("\(diagnostic.severity.rawValue):", color) + " " + ANSI.paint(diagnostic.message, .bold)
  }
}
