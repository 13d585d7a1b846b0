import Glibc

/// Wall-clock time for reports (RFC 3339), from `clock_gettime(CLOCK_REALTIME)`.
public enum WallClock {
  /// Milliseconds since the Unix epoch.
  public struct Instant: Sendable, Hashable, Comparable {
    var millisecondsSinceEpoch: Int64

    init(millisecondsSinceEpoch: Int64) {
      self.millisecondsSinceEpoch = millisecondsSinceEpoch
    }

    public static func < (lhs: Instant, rhs: Instant) -> Bool {
      lhs.millisecondsSinceEpoch < rhs.millisecondsSinceEpoch
    }

    /// Seconds from `self` to `later`.
    func seconds(to later: Instant) -> Double {
      Double(later.millisecondsSinceEpoch - millisecondsSinceEpoch) / 1000
    }

    /// `2026-11-27T04:45:14.123Z`.
    var rfc3339: String {
      var seconds = time_t(millisecondsSinceEpoch / 1000)
      var parts = tm()
      gmtime_r(&seconds, &parts)
      var text: [UInt8] = []
      text.reserveCapacity(24)
      func digits(_ value: Int32, _ width: Int, then separator: Character?) {
        var divisor: Int32 = 1
        for _ in 1..<width { divisor *= 10 }
        var rest = max(0, value)
        while divisor > 0 {
          text.append(UInt8(ascii: "0") + UInt8(truncatingIfNeeded: rest / divisor % 10))
          rest %= divisor
          divisor /= 10
        }
        if let separator { text.append(separator.asciiValue!) }
      }
      digits(parts.tm_year + 1900, 4, then: "-")
      digits(parts.tm_mon + 1, 2, then: "-")
      digits(parts.tm_mday, 2, then: "T")
      digits(parts.tm_hour, 2, then: ":")
      digits(parts.tm_min, 2, then: ":")
      digits(parts.tm_sec, 2, then: ".")
      digits(Int32(millisecondsSinceEpoch % 1000), 3, then: "Z")
      return String(decoding: text, as: UTF8.self)
    }

    /// Reads `2026-11-27T04:45:14.123Z`, the form ``rfc3339`` writes; `nil` for any other
    /// text, including what only looks like a time (month 13, February 30).
    init?(rfc3339 text: String) {
      let bytes = Array(text.utf8)
      guard bytes.count == 24 else { return nil }
      var fields: [Int64] = []
      var value: Int64 = 0
      for (offset, byte) in bytes.enumerated() {
        switch (offset, byte) {
        case (4, UInt8(ascii: "-")), (7, UInt8(ascii: "-")), (10, UInt8(ascii: "T")), (13, UInt8(ascii: ":")),
          (16, UInt8(ascii: ":")), (19, UInt8(ascii: ".")), (23, UInt8(ascii: "Z")):
          fields.append(value)
          value = 0
        case (_, UInt8(ascii: "0")...UInt8(ascii: "9")) where ![4, 7, 10, 13, 16, 19, 23].contains(offset):
          value = value * 10 + Int64(byte - UInt8(ascii: "0"))
        default: return nil
        }
      }
      let (year, month, day) = (fields[0], fields[1], fields[2])
      // Days from the civil date (Howard Hinnant's algorithm).
      let y = month <= 2 ? year - 1 : year
      let era = (y >= 0 ? y : y - 399) / 400
      let yearOfEra = y - era * 400
      let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
      let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
      let days = era * 146_097 + dayOfEra - 719_468
      self.init(
        millisecondsSinceEpoch: ((days * 24 + fields[3]) * 60 + fields[4]) * 60_000 + fields[5] * 1000
          + fields[6])
      // The round trip rejects fields out of range.
      guard rfc3339 == text else { return nil }
    }

    /// `20261127T044514.123Z`, for run ids: sorts by time, to the millisecond.
    var compact: String {
      String(rfc3339.filter { $0 != "-" && $0 != ":" })
    }
  }

  public static var now: Instant {
    var spec = timespec()
    clock_gettime(CLOCK_REALTIME, &spec)
    return Instant(millisecondsSinceEpoch: Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000)
  }
}
