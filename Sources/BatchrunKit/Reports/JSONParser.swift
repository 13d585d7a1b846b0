/// Reads JSON text into a ``JSON`` value (RFC 8259), keeping object key order.
///
/// Whatever the bytes, the parser returns a value or throws a ``Failure``; it never traps:
/// nesting deeper than ``maxDepth`` is an error (not a stack overflow), a number that does
/// not fit a `Double` is an error (not an infinity), and so are a lone surrogate (`\ud800`),
/// bytes that are not UTF-8, an unknown escape and a raw control character in a string.
public struct JSONParser {
  /// Where and why the text is not JSON.
  public struct Failure: Error, CustomStringConvertible {
    var offset: Int
    var message: String
    public var description: String { "invalid JSON at byte \(offset): \(message)" }
  }

  /// Arrays and objects nest at most this deep (a report needs five levels).
  static let maxDepth = 128

  private let bytes: [UInt8]
  private var index = 0
  private var depth = 0

  public static func parse(_ text: String) throws(Failure) -> JSON {
    try parse(Array(text.utf8))
  }

  public static func parse(_ bytes: [UInt8]) throws(Failure) -> JSON {
    var parser = JSONParser(bytes: bytes)
    let value = try parser.value()
    parser.skipWhitespace()
    guard parser.index == bytes.count else { throw parser.failure("unexpected text after the value") }
    return value
  }

  private init(bytes: [UInt8]) {
    self.bytes = bytes
  }

  private func failure(_ message: String, at offset: Int? = nil) -> Failure {
    Failure(offset: offset ?? index, message: message)
  }

  /// The byte at `index`, if there is one.
  private var current: UInt8? { index < bytes.count ? bytes[index] : nil }

  /// What is at `index`, for a message: `'x'`, `byte 0xFF`, or the end.
  private var found: String {
    guard let byte = current else { return "the end of the text" }
    return (0x21..<0x7F).contains(byte)
      ? "'\(Character(Unicode.Scalar(byte)))'" : "byte 0x\(String(byte, radix: 16, uppercase: true))"
  }

  private mutating func skipWhitespace() {
    while let byte = current, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { index += 1 }
  }

  private mutating func expect(_ literal: String) throws(Failure) {
    let start = index
    for byte in literal.utf8 {
      guard current == byte else { throw failure("expected '\(literal)'", at: start) }
      index += 1
    }
  }

  private mutating func value() throws(Failure) -> JSON {
    skipWhitespace()
    guard let byte = current else { throw failure("unexpected end of the text") }
    switch byte {
    case UInt8(ascii: "{"): return try object()
    case UInt8(ascii: "["): return try array()
    case UInt8(ascii: "\""): return .string(try string())
    case UInt8(ascii: "t"):
      try expect("true")
      return .bool(true)
    case UInt8(ascii: "f"):
      try expect("false")
      return .bool(false)
    case UInt8(ascii: "n"):
      try expect("null")
      return .null
    case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
    default: throw failure("expected a value, found \(found)")
    }
  }

  /// Runs `body` one level deeper; past ``maxDepth`` levels, an error.
  private mutating func nested<T>(_ body: (inout JSONParser) throws(Failure) -> T) throws(Failure) -> T {
    guard depth < Self.maxDepth else { throw failure("nested more than \(Self.maxDepth) levels deep") }
    depth += 1
    defer { depth -= 1 }
    return try body(&self)
  }

  private mutating func object() throws(Failure) -> JSON {
    try nested { (parser) throws(Failure) -> JSON in
      parser.index += 1
      var members: [(String, JSON)] = []
      parser.skipWhitespace()
      if parser.current == UInt8(ascii: "}") {
        parser.index += 1
        return .object(members)
      }
      while true {
        parser.skipWhitespace()
        guard parser.current == UInt8(ascii: "\"") else {
          throw parser.failure("expected a key in double quotes, found \(parser.found)")
        }
        let key = try parser.string()
        parser.skipWhitespace()
        guard parser.current == UInt8(ascii: ":") else {
          throw parser.failure("expected ':' after a key, found \(parser.found)")
        }
        parser.index += 1
        members.append((key, try parser.value()))
        parser.skipWhitespace()
        switch parser.current {
        case UInt8(ascii: ","): parser.index += 1
        case UInt8(ascii: "}"):
          parser.index += 1
          return .object(members)
        default: throw parser.failure("expected ',' or '}' in an object, found \(parser.found)")
        }
      }
    }
  }

  private mutating func array() throws(Failure) -> JSON {
    try nested { (parser) throws(Failure) -> JSON in
      parser.index += 1
      var items: [JSON] = []
      parser.skipWhitespace()
      if parser.current == UInt8(ascii: "]") {
        parser.index += 1
        return .array(items)
      }
      while true {
        items.append(try parser.value())
        parser.skipWhitespace()
        switch parser.current {
        case UInt8(ascii: ","): parser.index += 1
        case UInt8(ascii: "]"):
          parser.index += 1
          return .array(items)
        default: throw parser.failure("expected ',' or ']' in an array, found \(parser.found)")
        }
      }
    }
  }

  private mutating func string() throws(Failure) -> String {
    let start = index
    index += 1
    var out: [UInt8] = []
    while let byte = current {
      switch byte {
      case UInt8(ascii: "\""):
        index += 1
        guard let text = String(validating: out, as: UTF8.self) else {
          throw failure("the string here is not UTF-8", at: start)
        }
        return text
      case UInt8(ascii: "\\"):
        let escapeStart = index
        index += 1
        guard let escape = current else { break }
        index += 1
        switch escape {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(escape)
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "r"): out.append(0x0D)
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "f"): out.append(0x0C)
        case UInt8(ascii: "u"):
          let scalar = try unicodeEscape(startingAt: escapeStart)
          UTF8.encode(scalar) { out.append($0) }
        default:
          index = escapeStart + 1
          throw failure("unknown escape '\\' followed by \(found)", at: escapeStart)
        }
      case 0..<0x20:
        throw failure(
          "a control character (byte 0x\(String(byte, radix: 16, uppercase: true))) in a string must be escaped"
        )
      default:
        out.append(byte)
        index += 1
      }
    }
    throw failure("a string that does not end (no closing '\"')", at: start)
  }

  /// The character of a `\uXXXX` escape whose `u` was just read, with the low half that
  /// must follow a high surrogate; a surrogate without its other half is an error.
  private mutating func unicodeEscape(startingAt start: Int) throws(Failure) -> Unicode.Scalar {
    let first = try hex4()
    var value = first
    switch first {
    case 0xD800..<0xDC00:
      guard current == UInt8(ascii: "\\"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "u")
      else {
        throw failure("a lone surrogate \(Self.escapeText(first)) (no low surrogate after it)", at: start)
      }
      index += 2
      let low = try hex4()
      guard (0xDC00..<0xE000).contains(low) else {
        throw failure(
          "a lone surrogate \(Self.escapeText(first)) (followed by \(Self.escapeText(low)), not a low surrogate)",
          at: start)
      }
      value = 0x10000 + ((first - 0xD800) << 10) + (low - 0xDC00)
    case 0xDC00..<0xE000:
      throw failure("a lone surrogate \(Self.escapeText(first)) (no high surrogate before it)", at: start)
    default: break
    }
    guard let scalar = Unicode.Scalar(value) else {
      throw failure("\(Self.escapeText(first)) is not a character", at: start)
    }
    return scalar
  }

  private static func escapeText(_ value: UInt32) -> String {
    let hex = String(value, radix: 16)
    return "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
  }

  /// Four hexadecimal digits.
  private mutating func hex4() throws(Failure) -> UInt32 {
    var value: UInt32 = 0
    for _ in 0..<4 {
      let digit: UInt8
      switch current {
      case let byte? where (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte):
        digit = byte - UInt8(ascii: "0")
      case let byte? where (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte):
        digit = byte - UInt8(ascii: "a") + 10
      case let byte? where (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(byte):
        digit = byte - UInt8(ascii: "A") + 10
      default: throw failure("expected four hexadecimal digits after '\\u', found \(found)")
      }
      value = value << 4 | UInt32(digit)
      index += 1
    }
    return value
  }

  /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`: an `Int` if it is a whole
  /// number that fits one, else a finite `Double` (one beyond `Double`'s range is an error).
  private mutating func number() throws(Failure) -> JSON {
    let start = index
    func isDigit(_ byte: UInt8?) -> Bool {
      byte.map { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) } ?? false
    }
    if current == UInt8(ascii: "-") { index += 1 }
    if current == UInt8(ascii: "0") {
      index += 1
    } else if isDigit(current) {
      while isDigit(current) { index += 1 }
    } else {
      throw failure("expected a digit in a number, found \(found)")
    }
    var whole = true
    if current == UInt8(ascii: ".") {
      whole = false
      index += 1
      guard isDigit(current) else { throw failure("expected a digit after '.', found \(found)") }
      while isDigit(current) { index += 1 }
    }
    if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
      whole = false
      index += 1
      if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { index += 1 }
      guard isDigit(current) else { throw failure("expected a digit in an exponent, found \(found)") }
      while isDigit(current) { index += 1 }
    }
    let text = String(decoding: bytes[start..<index], as: UTF8.self)
    if whole, let integer = Int(text) { return .int(integer) }
    guard let double = Double(text), double.isFinite else {
      throw failure(
        "the number \(text.count > 40 ? text.prefix(40) + "..." : text) is out of range", at: start)
    }
    return .double(double)
  }
}
