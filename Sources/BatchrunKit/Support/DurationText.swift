/// Durations as manifests and the command line write them: `250ms`, `30s`, `5m`, `1h30m`, `1.5`.
///
/// Every duration is at most ``maximum`` (a year), so that no timer or sum of durations
/// can overflow.
public enum DurationText {
  /// Why a text is not a duration.
  public enum Problem: Error, Sendable, Hashable {
    /// Not a duration at all, or negative.
    case invalid
    /// Longer than ``DurationText/maximum``.
    case tooLarge
  }

  /// The longest duration accepted: 8760 hours, a year.
  public static let maximum: Duration = .seconds(maximumHours * 3600)

  /// ``maximum`` as messages and the README write it.
  public static let maximumText = "\(maximumHours)h"

  private static let maximumHours = 8760

  /// Parses a duration; `nil` if `text` is not one, is negative, or is too long.
  static func parse(_ text: String) -> Duration? {
    try? value(of: text)
  }

  /// Parses a duration, saying why `text` is not one.
  public static func value(of text: String) throws(Problem) -> Duration {
    let text = text.trimmingWhitespace()
    guard !text.isEmpty else { throw .invalid }
    if let seconds = Double(text) {
      return try milliseconds(seconds * 1000)
    }
    // Milliseconds, summed as a Double: a part too large for any integer is only too large.
    var total = 0.0
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
      guard let value = Double(number), let (scale, rank) = units[unit], rank < lastUnitRank else {
        throw .invalid
      }
      lastUnitRank = rank
      total += value * scale
      number = ""
    }
    guard number.isEmpty else { throw .invalid }
    return try milliseconds(total)
  }

  /// A whole number of milliseconds; invalid if negative or not a number, too large past
  /// ``maximum`` (infinity included).
  private static func milliseconds(_ value: Double) throws(Problem) -> Duration {
    guard !value.isNaN, value >= 0 else { throw .invalid }
    let rounded = value.rounded()
    guard rounded <= Double(maximumHours) * 3_600_000 else { throw .tooLarge }
    return .milliseconds(Int64(rounded))
  }

  /// Milliseconds per unit, and the unit's rank (units must come largest first).
  private static let units: [String: (Double, Int)] = [
    "h": (3_600_000, 3), "m": (60_000, 2), "s": (1000, 1), "ms": (1, 0),
  ]

  /// A duration for people: `0.31s`, `12.4s`, `3m5s`, `1h2m`.
  static func format(seconds: Double) -> String {
    if seconds < 10 { return String(Double(Int((seconds * 100).rounded())) / 100) + "s" }
    if seconds < 60 { return String(Double(Int((seconds * 10).rounded())) / 10) + "s" }
    let whole = Int(seconds.rounded())
    return whole < 3600 ? "\(whole / 60)m\(whole % 60)s" : "\(whole / 3600)h\(whole / 60 % 60)m"
  }
}

extension Duration {
  /// The duration in seconds, as a floating-point number.
  var seconds: Double {
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
