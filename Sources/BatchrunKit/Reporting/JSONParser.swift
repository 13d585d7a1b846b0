/// Reads JSON text into a ``JSON`` value (RFC 8259), keeping object key order.
public struct JSONParser {
  /// Where and why the text is not JSON.
  public struct Failure: Error, CustomStringConvertible {
    public var offset: Int
    public var message: String
    public var description: String { "invalid JSON at byte \(offset): \(message)" }
  }

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

  private func failure(_ message: String) -> Failure {
    Failure(offset: index, message: message)
  }

  private mutating func skipWhitespace() {
    while index < bytes.count, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[index]) { index += 1 }
  }

  private mutating func expect(_ literal: String) throws(Failure) {
    for byte in literal.utf8 {
      guard index < bytes.count, bytes[index] == byte else { throw failure("expected '\(literal)'") }
      index += 1
    }
  }

  private mutating func value() throws(Failure) -> JSON {
    skipWhitespace()
    guard index < bytes.count else { throw failure("unexpected end") }
    switch bytes[index] {
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
    default: return try number()
    }
  }

  private mutating func nested<T>(_ body: (inout JSONParser) throws(Failure) -> T) throws(Failure) -> T {
    depth += 1
    defer { depth -= 1 }
    guard depth < 512 else { throw failure("nested too deeply") }
    return try body(&self)
  }

  private mutating func object() throws(Failure) -> JSON {
    try nested { (parser) throws(Failure) -> JSON in
      parser.index += 1
      var members: [(String, JSON)] = []
      parser.skipWhitespace()
      if parser.index < parser.bytes.count, parser.bytes[parser.index] == UInt8(ascii: "}") {
        parser.index += 1
        return .object(members)
      }
      while true {
        parser.skipWhitespace()
        guard parser.index < parser.bytes.count, parser.bytes[parser.index] == UInt8(ascii: "\"") else {
          throw parser.failure("expected a key")
        }
        let key = try parser.string()
        parser.skipWhitespace()
        try parser.expect(":")
        members.append((key, try parser.value()))
        parser.skipWhitespace()
        guard parser.index < parser.bytes.count else { throw parser.failure("unexpected end") }
        if parser.bytes[parser.index] == UInt8(ascii: ",") {
          parser.index += 1
          continue
        }
        try parser.expect("}")
        return .object(members)
      }
    }
  }

  private mutating func array() throws(Failure) -> JSON {
    try nested { (parser) throws(Failure) -> JSON in
      parser.index += 1
      var items: [JSON] = []
      parser.skipWhitespace()
      if parser.index < parser.bytes.count, parser.bytes[parser.index] == UInt8(ascii: "]") {
        parser.index += 1
        return .array(items)
      }
      while true {
        items.append(try parser.value())
        parser.skipWhitespace()
        guard parser.index < parser.bytes.count else { throw parser.failure("unexpected end") }
        if parser.bytes[parser.index] == UInt8(ascii: ",") {
          parser.index += 1
          continue
        }
        try parser.expect("]")
        return .array(items)
      }
    }
  }

  private mutating func string() throws(Failure) -> String {
    index += 1
    var out: [UInt8] = []
    while index < bytes.count {
      let byte = bytes[index]
      index += 1
      switch byte {
      case UInt8(ascii: "\""): return String(decoding: out, as: UTF8.self)
      case UInt8(ascii: "\\"):
        guard index < bytes.count else { throw failure("unexpected end in a string") }
        let escape = bytes[index]
        index += 1
        switch escape {
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "r"): out.append(0x0D)
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "f"): out.append(0x0C)
        case UInt8(ascii: "u"):
          var scalar = try hex4()
          if (0xD800..<0xDC00).contains(scalar), index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"),
            bytes[index + 1] == UInt8(ascii: "u")
          {
            index += 2
            let low = try hex4()
            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
          }
          out += Array(String(Unicode.Scalar(scalar).map(Character.init) ?? "\u{FFFD}").utf8)
        default: out.append(escape)
        }
      default: out.append(byte)
      }
    }
    throw failure("unterminated string")
  }

  private mutating func hex4() throws(Failure) -> UInt32 {
    guard index + 4 <= bytes.count,
      let value = UInt32(String(decoding: bytes[index..<index + 4], as: UTF8.self), radix: 16)
    else { throw failure("bad \\u escape") }
    index += 4
    return value
  }

  private mutating func number() throws(Failure) -> JSON {
    let start = index
    while index < bytes.count, "+-0123456789.eE".utf8.contains(bytes[index]) { index += 1 }
    let text = String(decoding: bytes[start..<index], as: UTF8.self)
    if let integer = Int(text) { return .int(integer) }
    if let double = Double(text) { return .double(double) }
    index = start
    throw failure("unexpected character")
  }
}
