import Glibc

/// Wall-clock time for reports (RFC 3339), from `clock_gettime(CLOCK_REALTIME)`.
public enum WallClock {
  /// Milliseconds since the Unix epoch.
  public struct Instant: Sendable, Hashable, Comparable {
    public var millisecondsSinceEpoch: Int64

    public init(millisecondsSinceEpoch: Int64) {
      self.millisecondsSinceEpoch = millisecondsSinceEpoch
    }

    public static func < (lhs: Instant, rhs: Instant) -> Bool {
      lhs.millisecondsSinceEpoch < rhs.millisecondsSinceEpoch
    }

    /// Seconds from `self` to `later`.
    public func seconds(to later: Instant) -> Double {
      Double(later.millisecondsSinceEpoch - millisecondsSinceEpoch) / 1000
    }

    /// `2026-11-27T04:45:14.123Z`.
    public var rfc3339: String {
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

    /// `20261127T044514.123Z`, for run ids: sorts by time, to the millisecond.
    public var compact: String {
      String(rfc3339.filter { $0 != "-" && $0 != ":" })
    }
  }

  public static var now: Instant {
    var spec = timespec()
    clock_gettime(CLOCK_REALTIME, &spec)
    return Instant(millisecondsSinceEpoch: Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000)
  }
}
