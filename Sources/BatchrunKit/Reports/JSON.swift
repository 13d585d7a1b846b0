/// A JSON value with ordered object keys, rendered exactly as built (nulls included).
public indirect enum JSON: Sendable, Equatable {
  case null
  case bool(Bool)
  case int(Int)
  case double(Double)
  case string(String)
  case array([JSON])
  case object([(String, JSON)])

  public static func == (lhs: JSON, rhs: JSON) -> Bool {
    lhs.rendered(pretty: false) == rhs.rendered(pretty: false)
  }

  /// `.string` or `.null`.
  static func string(_ value: String?) -> JSON { value.map(JSON.string) ?? .null }
  /// `.int` or `.null`.
  static func int(_ value: Int?) -> JSON { value.map(JSON.int) ?? .null }
  /// `.double` or `.null`.
  static func double(_ value: Double?) -> JSON { value.map(JSON.double) ?? .null }

  /// The value as JSON text; `pretty` indents by two spaces.
  public func rendered(pretty: Bool) -> String {
    String(decoding: bytes(pretty: pretty), as: UTF8.self)
  }

  /// The value as UTF-8 JSON text; `pretty` indents by two spaces.
  public func bytes(pretty: Bool) -> [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(256)
    write(to: &out, pretty: pretty, indent: 0)
    return out
  }

  func write(to out: inout [UInt8], pretty: Bool, indent: Int) {
    switch self {
    case .null: out.append(contentsOf: "null".utf8)
    case .bool(let value): out.append(contentsOf: (value ? "true" : "false").utf8)
    case .int(let value): out.append(contentsOf: String(value).utf8)
    case .double(let value):
      if value.isFinite, value == value.rounded(), abs(value) < 1e15 {
        out.append(contentsOf: String(Int(value)).utf8)
      } else if value.isFinite {
        out.append(contentsOf: String(value).utf8)
      } else {
        out.append(contentsOf: "null".utf8)
      }
    case .string(let value): Self.quote(value, into: &out)
    case .array(let items):
      if items.isEmpty {
        out.append(contentsOf: "[]".utf8)
        return
      }
      out.append(UInt8(ascii: "["))
      for (offset, item) in items.enumerated() {
        if offset > 0 { out.append(UInt8(ascii: ",")) }
        if pretty { Self.newline(&out, indent + 1) }
        item.write(to: &out, pretty: pretty, indent: indent + 1)
      }
      if pretty { Self.newline(&out, indent) }
      out.append(UInt8(ascii: "]"))
    case .object(let members):
      if members.isEmpty {
        out.append(contentsOf: "{}".utf8)
        return
      }
      out.append(UInt8(ascii: "{"))
      for (offset, (key, value)) in members.enumerated() {
        if offset > 0 { out.append(UInt8(ascii: ",")) }
        Self.member(key, value, into: &out, pretty: pretty, indent: indent + 1)
      }
      if pretty { Self.newline(&out, indent) }
      out.append(UInt8(ascii: "}"))
    }
  }

  /// Appends `"key": value` of an object whose members are at `indent`.
  static func member(_ key: String, _ value: JSON, into out: inout [UInt8], pretty: Bool, indent: Int) {
    if pretty { newline(&out, indent) }
    quote(key, into: &out)
    out.append(UInt8(ascii: ":"))
    if pretty { out.append(UInt8(ascii: " ")) }
    value.write(to: &out, pretty: pretty, indent: indent)
  }

  private static func newline(_ out: inout [UInt8], _ indent: Int) {
    out.append(UInt8(ascii: "\n"))
    for _ in 0..<indent * 2 { out.append(UInt8(ascii: " ")) }
  }

  /// `text` as a JSON string literal (also a valid dot/Graphviz quoted id).
  static func quote(_ text: String) -> String {
    var out: [UInt8] = []
    out.reserveCapacity(text.utf8.count + 2)
    quote(text, into: &out)
    return String(decoding: out, as: UTF8.self)
  }

  /// Appends `text` as a JSON string literal: `"`, `\`, and control characters escaped.
  static func quote(_ text: String, into out: inout [UInt8]) {
    out.append(UInt8(ascii: "\""))
    // Most strings (ids, paths, times, hashes) need no escape: copied whole.
    let plain = text.utf8.withContiguousStorageIfAvailable { bytes -> Bool in
      guard !bytes.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") })
      else {
        return false
      }
      out.append(contentsOf: bytes)
      return true
    }
    if plain == true {
      out.append(UInt8(ascii: "\""))
      return
    }
    for byte in text.utf8 {
      switch byte {
      case UInt8(ascii: "\""): out.append(contentsOf: #"\""#.utf8)
      case UInt8(ascii: "\\"): out.append(contentsOf: #"\\"#.utf8)
      case UInt8(ascii: "\n"): out.append(contentsOf: #"\n"#.utf8)
      case UInt8(ascii: "\r"): out.append(contentsOf: #"\r"#.utf8)
      case UInt8(ascii: "\t"): out.append(contentsOf: #"\t"#.utf8)
      case ..<0x20:
        let hex = Array("0123456789abcdef".utf8)
        out.append(contentsOf: #"\u00"#.utf8)
        out.append(hex[Int(byte >> 4)])
        out.append(hex[Int(byte & 0xF)])
      default: out.append(byte)
      }
    }
    out.append(UInt8(ascii: "\""))
  }

  // MARK: - Reading

  /// The member `key` of an object, if this is one and has it.
  subscript(key: String) -> JSON? {
    guard case .object(let members) = self else { return nil }
    return members.first { $0.0 == key }?.1
  }

  /// This object with `key` set to `value` (replaced in place, or added at the end).
  func setting(_ key: String, _ value: JSON) -> JSON {
    guard case .object(var members) = self else { return self }
    if let index = members.firstIndex(where: { $0.0 == key }) {
      members[index].1 = value
    } else {
      members.append((key, value))
    }
    return .object(members)
  }

  var stringValue: String? {
    if case .string(let value) = self { return value }
    return nil
  }

  var doubleValue: Double? {
    switch self {
    case .int(let value): Double(value)
    case .double(let value): value
    default: nil
    }
  }

  /// The number if it is a whole one that fits an `Int` (`2.0` too, `1e20` not).
  var intValue: Int? {
    switch self {
    case .int(let value): value
    case .double(let value): Int(exactly: value)
    default: nil
    }
  }

  var arrayValue: [JSON]? {
    if case .array(let items) = self { return items }
    return nil
  }
}
