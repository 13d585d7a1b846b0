/// YAML 1.2's core schema: which plain scalars are null, booleans, integers or floats, and
/// what each core tag makes of a scalar's text.
///
/// Every number is read here, with no conversion that can trap: an integer too large for
/// `Int` is saturated, so that range checks call it too large.
enum YAMLCoreSchema {
  /// What `scalar` is: its tag decides, else its style (quoted and block scalars are
  /// strings) and text. `nil` when the tag is not a core scalar tag or does not fit the text.
  static func value(of scalar: YAMLNode.Scalar) -> YAMLNode.Value? {
    let text = scalar.text
    switch scalar.tag {
    case nil: return scalar.isPlain ? implicitValue(of: text) : .string
    case .string?, .nonSpecific?: return .string
    case .null?: return isNull(text) ? .null : nil
    case .boolean?: return Bool(yaml: text).map(YAMLNode.Value.boolean)
    case .integer?: return integer(text).map(YAMLNode.Value.integer)
    case .float?: return float(text).map(YAMLNode.Value.float)
    case .sequence?, .mapping?, .unsupported?: return nil
    }
  }

  /// The value of an untagged plain scalar.
  static func implicitValue(of text: String) -> YAMLNode.Value {
    if isNull(text) { return .null }
    if let value = Bool(yaml: text) { return .boolean(value) }
    if let value = integer(text) { return .integer(value) }
    if let value = float(text) { return .float(value) }
    return .string
  }

  /// `~`, `null`, `Null`, `NULL`, or nothing.
  static func isNull(_ text: String) -> Bool {
    ["", "~", "null", "Null", "NULL"].contains(text)
  }

  /// An integer written `[-+]?[0-9]+`, `0o[0-7]+` or `0x[0-9a-fA-F]+`; one beyond `Int`'s
  /// range is saturated to `Int.min` or `Int.max`.
  static func integer(_ text: String) -> Int? {
    var digits = Substring(text).utf8[...]
    var radix = 10
    var negative = false
    if digits.starts(with: "0o".utf8) {
      radix = 8
      digits = digits.dropFirst(2)
    } else if digits.starts(with: "0x".utf8) {
      radix = 16
      digits = digits.dropFirst(2)
    } else if let sign = digits.first, sign == UInt8(ascii: "-") || sign == UInt8(ascii: "+") {
      negative = sign == UInt8(ascii: "-")
      digits = digits.dropFirst()
    }
    guard !digits.isEmpty else { return nil }
    var value = 0
    var saturated = false
    for byte in digits {
      guard let digit = digitValue(byte), digit < radix else { return nil }
      guard !saturated else { continue }
      // Negative numbers are summed downwards, so that `Int.min` itself fits.
      let (shifted, overflowed) = value.multipliedReportingOverflow(by: radix)
      let (next, overflowedAgain) =
        negative ? shifted.subtractingReportingOverflow(digit) : shifted.addingReportingOverflow(digit)
      if overflowed || overflowedAgain {
        saturated = true
        value = negative ? .min : .max
      } else {
        value = next
      }
    }
    return value
  }

  /// A float written `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`, or `.inf`,
  /// `-.inf`, `.nan` (in any of their three cases). Too large a number is infinite.
  static func float(_ text: String) -> Double? {
    switch text {
    case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .infinity
    case "-.inf", "-.Inf", "-.INF": return -.infinity
    case ".nan", ".NaN", ".NAN": return .nan
    default: break
    }
    guard isDecimalFloat(text.utf8) else { return nil }
    return Double(text)
  }

  /// Whether `bytes` match the core schema's decimal float pattern.
  private static func isDecimalFloat(_ bytes: String.UTF8View) -> Bool {
    var rest = bytes[...]
    if let sign = rest.first, sign == UInt8(ascii: "-") || sign == UInt8(ascii: "+") {
      rest = rest.dropFirst()
    }
    let whole = rest.prefix { digitValue($0).map { $0 < 10 } ?? false }.count
    rest = rest.dropFirst(whole)
    var fraction = 0
    if rest.first == UInt8(ascii: ".") {
      rest = rest.dropFirst()
      fraction = rest.prefix { digitValue($0).map { $0 < 10 } ?? false }.count
      rest = rest.dropFirst(fraction)
    }
    guard whole > 0 || fraction > 0 else { return false }
    if let e = rest.first, e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
      rest = rest.dropFirst()
      if let sign = rest.first, sign == UInt8(ascii: "-") || sign == UInt8(ascii: "+") {
        rest = rest.dropFirst()
      }
      let exponent = rest.prefix { digitValue($0).map { $0 < 10 } ?? false }.count
      guard exponent > 0 else { return false }
      rest = rest.dropFirst(exponent)
    }
    return rest.isEmpty
  }

  /// The value of an ASCII digit or hex letter.
  private static func digitValue(_ byte: UInt8) -> Int? {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): Int(byte - UInt8(ascii: "0"))
    case UInt8(ascii: "a")...UInt8(ascii: "f"): Int(byte - UInt8(ascii: "a")) + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): Int(byte - UInt8(ascii: "A")) + 10
    default: nil
    }
  }
}
