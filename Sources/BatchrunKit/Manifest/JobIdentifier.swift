/// The rules for job ids: `[A-Za-z0-9_][A-Za-z0-9_.-]*`, at most 128 bytes (they name log files).
public enum JobIdentifier {
  public static let maximumLength = 128

  public static func isValid(_ id: String) -> Bool {
    let bytes = id.utf8
    guard let first = bytes.first, bytes.count <= maximumLength, isWordByte(first) else { return false }
    return bytes.allSatisfy { isWordByte($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") }
  }

  /// A valid id close to `id`: other characters replaced by `-`, or `nil` if none fits.
  public static func suggestion(for id: String) -> String? {
    var fixed = String(
      id.unicodeScalars.map { scalar -> Character in
        scalar.isASCII && (isWordByte(UInt8(scalar.value)) || scalar == "." || scalar == "-")
          ? Character(scalar) : "-"
      })
    while let first = fixed.utf8.first, !isWordByte(first) { fixed.removeFirst() }
    return isValid(fixed) ? fixed : nil
  }

  private static func isWordByte(_ byte: UInt8) -> Bool {
    (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
      || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
      || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "_")
  }
}
