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
  public static func string(_ value: String?) -> JSON { value.map(JSON.string) ?? .null }
  /// `.int` or `.null`.
  public static func int(_ value: Int?) -> JSON { value.map(JSON.int) ?? .null }
  /// `.double` or `.null`.
  public static func double(_ value: Double?) -> JSON { value.map(JSON.double) ?? .null }

  /// The value as JSON text; `pretty` indents by two spaces.
  public func rendered(pretty: Bool) -> String {
    var out = ""
    write(to: &out, pretty: pretty, indent: 0)
    return out
  }

  private func write(to out: inout String, pretty: Bool, indent: Int) {
    switch self {
    case .null: out += "null"
    case .bool(let value): out += value ? "true" : "false"
    case .int(let value): out += String(value)
    case .double(let value):
      if value.isFinite, value == value.rounded(), abs(value) < 1e15 {
        out += String(Int(value))
      } else if value.isFinite {
        out += String(value)
      } else {
        out += "null"
      }
    case .string(let value): out += Self.quote(value)
    case .array(let items):
      if items.isEmpty {
        out += "[]"
        return
      }
      out += "["
      for (offset, item) in items.enumerated() {
        if offset > 0 { out += "," }
        if pretty { Self.newline(&out, indent + 1) }
        item.write(to: &out, pretty: pretty, indent: indent + 1)
      }
      if pretty { Self.newline(&out, indent) }
      out += "]"
    case .object(let members):
      if members.isEmpty {
        out += "{}"
        return
      }
      out += "{"
      for (offset, (key, value)) in members.enumerated() {
        if offset > 0 { out += "," }
        if pretty { Self.newline(&out, indent + 1) }
        out += Self.quote(key)
        out += pretty ? ": " : ":"
        value.write(to: &out, pretty: pretty, indent: indent + 1)
      }
      if pretty { Self.newline(&out, indent) }
      out += "}"
    }
  }

  private static func newline(_ out: inout String, _ indent: Int) {
    out += "\n"
    out += String(repeating: "  ", count: indent)
  }

  /// `text` as a JSON string literal (also a valid dot/Graphviz quoted id).
  public static func quote(_ text: String) -> String {
    // Most strings need no escape: copy them whole.
    if !text.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
      return "\"" + text + "\""
    }
    var out = "\""
    for scalar in text.unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      case _ where scalar.value < 0x20:
        let hex = String(scalar.value, radix: 16)
        out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
      default: out.unicodeScalars.append(scalar)
      }
    }
    return out + "\""
  }

  // MARK: - Reading

  /// The member `key` of an object, if this is one and has it.
  public subscript(key: String) -> JSON? {
    guard case .object(let members) = self else { return nil }
    return members.first { $0.0 == key }?.1
  }

  /// This object with `key` set to `value` (replaced in place, or added at the end).
  public func setting(_ key: String, _ value: JSON) -> JSON {
    guard case .object(var members) = self else { return self }
    if let index = members.firstIndex(where: { $0.0 == key }) {
      members[index].1 = value
    } else {
      members.append((key, value))
    }
    return .object(members)
  }

  public var stringValue: String? {
    if case .string(let value) = self { return value }
    return nil
  }

  public var doubleValue: Double? {
    switch self {
    case .int(let value): Double(value)
    case .double(let value): value
    default: nil
    }
  }

  public var intValue: Int? {
    switch self {
    case .int(let value): value
    case .double(let value) where value == value.rounded(): Int(value)
    default: nil
    }
  }

  public var arrayValue: [JSON]? {
    if case .array(let items) = self { return items }
    return nil
  }
}
