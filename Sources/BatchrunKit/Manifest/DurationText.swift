/// Durations as manifests and the command line write them: `250ms`, `30s`, `5m`, `1h30m`, `1.5`.
public enum DurationText {
  /// Parses a duration; `nil` if `text` is not one, or is negative.
  public static func parse(_ text: String) -> Duration? {
    let text = text.trimmingWhitespace()
    guard !text.isEmpty else { return nil }
    if let seconds = Double(text) {
      return milliseconds(seconds * 1000)
    }
    var total: Duration = .zero
    var number = ""
    var index = text.startIndex
    var lastUnitRank = Int.max
    while index < text.endIndex {
      let character = text[index]
      if character.isASCII, character.isNumber || character == "." {
        number.append(character)
        index = text.index(after: index)
        continue
      }
      var unit = String(character)
      index = text.index(after: index)
      if character == "m", index < text.endIndex, text[index] == "s" {
        unit = "ms"
        index = text.index(after: index)
      }
      guard let value = Double(number), let (scale, rank) = units[unit], rank < lastUnitRank,
        let part = milliseconds(value * scale), total.seconds + part.seconds < maximumSeconds
      else { return nil }
      lastUnitRank = rank
      total += part
      number = ""
    }
    return number.isEmpty ? total : nil
  }

  /// The longest duration accepted: about 292 years, well inside `Int64` milliseconds.
  public static let maximumSeconds: Double = 9_000_000_000

  /// A whole number of milliseconds, or `nil` if negative, not finite or too long.
  private static func milliseconds(_ value: Double) -> Duration? {
    guard value.isFinite, value >= 0, value / 1000 < maximumSeconds else { return nil }
    return .milliseconds(Int64(value.rounded()))
  }

  /// Milliseconds per unit, and the unit's rank (units must come largest first).
  private static let units: [String: (Double, Int)] = [
    "h": (3_600_000, 3), "m": (60_000, 2), "s": (1000, 1), "ms": (1, 0),
  ]
}

extension Duration {
  /// The duration in seconds, as a floating-point number.
  public var seconds: Double {
    let (seconds, attoseconds) = components
    return Double(seconds) + Double(attoseconds) / 1e18
  }
}

extension StringProtocol {
  func trimmingWhitespace() -> String {
    let scalars = unicodeScalars.drop(while: { $0.properties.isWhitespace })
    var end = scalars.endIndex
    while end > scalars.startIndex {
      let before = scalars.index(before: end)
      guard scalars[before].properties.isWhitespace else { break }
      end = before
    }
    return String(String.UnicodeScalarView(scalars[scalars.startIndex..<end]))
  }
}
