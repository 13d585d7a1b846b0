/// `.env` files as docs/manifest.md ("dotenv") gives them: `KEY=VALUE` lines, an optional
/// `export `, `#` comments, `'...'` taken literally, `"..."` with `\n \t \" \\` escapes, and
/// no `$` expansion.
enum DotenvParser {
  /// The variables of `text`, in order, and a diagnostic for each bad line, in `file`.
  static func parse(_ text: String, file: String) -> (
    variables: [EnvironmentVariable], problems: [Diagnostic]
  ) {
    var variables: [EnvironmentVariable] = []
    var problems: [Diagnostic] = []
    var lineNumber = 0
    for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
      lineNumber += 1
      var scalars = Array(line.unicodeScalars)
      if scalars.last == "\r" { scalars.removeLast() }
      do {
        if let variable = try parse(line: scalars) { variables.append(variable) }
      } catch {
        problems.append(
          Diagnostic(
            at: SourceLocation(file: file, line: lineNumber, column: error.column + 1), error.message))
      }
    }
    return (variables, problems)
  }

  /// A bad line: where (0-based, in Unicode scalars) and why.
  struct Problem: Error {
    var column: Int
    var message: String
  }

  static func parse(line: [Unicode.Scalar]) throws(Problem) -> EnvironmentVariable? {
    var index = 0
    func skipSpaces() {
      while index < line.count, line[index] == " " || line[index] == "\t" { index += 1 }
    }
    skipSpaces()
    guard index < line.count, line[index] != "#" else { return nil }
    if line[index...].starts(with: "export ".unicodeScalars) {
      index += 7
      skipSpaces()
    }
    let keyStart = index
    while index < line.count, line[index] != "=", line[index] != " ", line[index] != "\t" { index += 1 }
    let key = String(String.UnicodeScalarView(line[keyStart..<index]))
    skipSpaces()
    guard index < line.count, line[index] == "=" else {
      throw Problem(
        column: keyStart,
        message: "expected KEY=VALUE, found \(MessageText.quoted(String(String.UnicodeScalarView(line))))")
    }
    guard isKey(key) else {
      throw Problem(
        column: keyStart,
        message:
          "invalid variable name \(MessageText.quoted(key)): use letters, digits and '_', not starting with a digit"
      )
    }
    index += 1
    skipSpaces()
    var value = ""
    if index < line.count, line[index] == "'" || line[index] == "\"" {
      let quote = line[index]
      let open = index
      index += 1
      var closed = false
      while index < line.count {
        let scalar = line[index]
        if scalar == quote {
          closed = true
          index += 1
          break
        }
        if quote == "\"", scalar == "\\" {
          guard index + 1 < line.count else { break }
          switch line[index + 1] {
          case "n": value += "\n"
          case "t": value += "\t"
          case "\"": value += "\""
          case "\\": value += "\\"
          default:
            throw Problem(
              column: index,
              message:
                "unknown escape '\\\(line[index + 1])' in a double-quoted value; use \\n, \\t, \\\" or \\\\")
          }
          index += 2
          continue
        }
        value.unicodeScalars.append(scalar)
        index += 1
      }
      guard closed else {
        throw Problem(
          column: open,
          message: "the value's \(quote == "'" ? "single" : "double") quote is not closed on this line")
      }
      skipSpaces()
      guard index == line.count || line[index] == "#" else {
        throw Problem(
          column: index, message: "unexpected text after the quoted value; put a '#' before a comment")
      }
    } else {
      var end = index
      while end < line.count {
        if line[end] == "#", end > index, line[end - 1] == " " || line[end - 1] == "\t" { break }
        end += 1
      }
      value = String(String.UnicodeScalarView(line[index..<end])).trimmingWhitespace()
    }
    return EnvironmentVariable(key, value)
  }

  /// `[A-Za-z_][A-Za-z0-9_]*`.
  static func isKey(_ key: String) -> Bool {
    guard let first = key.unicodeScalars.first,
      first == "_" || (first.isASCII && first.properties.isAlphabetic)
    else {
      return false
    }
    return key.unicodeScalars.allSatisfy {
      $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_")
    }
  }
}
