/// Memory sizes as a manifest writes them: `512M`, `4G`, `1T`, `100K`, or a bare number
/// of bytes (docs/manifest.md, "resources"); units are powers of 1024.
public enum ByteSize {
  /// The bytes `text` stands for, or `nil` if it is not a size.
  public static func bytes(_ text: String) -> Int? {
    var digits = text.trimmingWhitespace()
    var scale = 1
    if let last = digits.last, let power = "KMGT".firstIndex(of: Character(last.uppercased())) {
      scale = 1 << (10 * ("KMGT".distance(from: "KMGT".startIndex, to: power) + 1))
      digits.removeLast()
    } else if digits.last == "B" || digits.last == "b" {
      digits.removeLast()
    }
    guard !digits.isEmpty, digits.allSatisfy(\.isASCII), let number = Int(digits), number >= 0 else {
      return nil
    }
    let (bytes, overflow) = number.multipliedReportingOverflow(by: scale)
    return overflow ? nil : bytes
  }
}
