/// The terminal escape sequences batchrun writes: the console's colours and its status
/// line, the diagnostics' colours. Nothing else spells an escape code.
enum ANSI {
  /// The escape character every sequence starts with.
  static let escape: Character = "\u{1B}"
  /// Ends every style: back to the terminal's own.
  static let reset = "\u{1B}[0m"
  /// Back to the start of the line, then erase it: where the status line is redrawn.
  static let clearLine = "\r\u{1B}[2K"
  /// Erases from the cursor to the end of the line (GitLab's section markers use it).
  static let eraseToEndOfLine = "\u{1B}[0K"

  /// A text style, as its SGR parameters.
  enum Style: String, Sendable {
    case bold = "1"
    case dim = "2"
    case red = "31"
    case green = "32"
    case yellow = "33"
    case cyan = "36"
    case boldGray = "1;30"
    case boldRed = "1;31"
    case boldGreen = "1;32"
    case boldYellow = "1;33"
    case boldMagenta = "1;35"

    /// The sequence that turns the style on.
    var code: String { "\u{1B}[\(rawValue)m" }
  }

  /// `text` in `style`, then reset; `text` alone when colour is off.
  static func paint(_ text: String, _ style: Style, if enabled: Bool = true) -> String {
    enabled ? style.code + text + reset : text
  }
}
