/// A user's text as a diagnostic shows it: in single quotes, with control characters
/// escaped (`\0`, `\n`, `\u{1B}`) so that a terminal shows them, and cut short when long.
enum MessageText {
  /// `'text'`, escaped, and cut to `limit` characters with `...` after it.
  static func quoted(_ text: String, limit: Int = 40) -> String {
    var out = "'"
    var count = 0
    for scalar in text.unicodeScalars {
      if count == limit {
        out += "..."
        break
      }
      count += 1
      switch scalar {
      case "\0": out += "\\0"
      case "\t": out += "\\t"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case _ where scalar.properties.generalCategory == .control:
        out += "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
      default: out.unicodeScalars.append(scalar)
      }
    }
    return out + "'"
  }
}
