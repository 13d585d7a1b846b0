/// The rules for job ids: `[A-Za-z0-9_][A-Za-z0-9_.-]*`, at most 128 bytes (they name log
/// files), and not ending in `.attempt-<digits>`, which retry logs use.
enum JobIdentifier {
  static let maximumLength = 128

  /// What retry logs add to a job's id: attempt n > 1 logs to `logs/<job>.attempt-<n>.log`.
  static let attemptMarker = ".attempt-"

  /// The end of `id` that only a retry log's name may have, `.attempt-<digits>`, if it has
  /// one: job `a.attempt-2` would write the log of job `a`'s second attempt.
  static func reservedSuffix(of id: String) -> Substring? {
    let digits = id.utf8.reversed().prefix { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }.count
    guard digits > 0, id.utf8.dropLast(digits).reversed().starts(with: attemptMarker.utf8.reversed()) else {
      return nil
    }
    // The marker starts with an ASCII '.', so this index is a character boundary.
    return id[id.utf8.index(id.endIndex, offsetBy: -(digits + attemptMarker.utf8.count))...]
  }

  /// `id` with the `.` of its reserved suffix made a `-`: `a.attempt-2` becomes `a-attempt-2`.
  static func unreserved(_ id: String) -> String {
    guard let suffix = reservedSuffix(of: id) else { return id }
    return id[..<suffix.startIndex] + "-" + suffix.dropFirst()
  }

  static func isValid(_ id: String) -> Bool {
    let bytes = id.utf8
    guard let first = bytes.first, bytes.count <= maximumLength, isWordByte(first) else { return false }
    return bytes.allSatisfy { isWordByte($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") }
  }

  /// A valid id close to `id`: other characters replaced by `-`, or `nil` if none fits.
  static func suggestion(for id: String) -> String? {
    var fixed = String(
      id.unicodeScalars.map { scalar -> Character in
        scalar.isASCII && (isWordByte(UInt8(scalar.value)) || scalar == "." || scalar == "-")
          ? Character(scalar) : "-"
      })
    while let first = fixed.utf8.first, !isWordByte(first) { fixed.removeFirst() }
    return isValid(fixed) ? unreserved(fixed) : nil
  }

  private static func isWordByte(_ byte: UInt8) -> Bool {
    (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
      || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
      || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "_")
  }
}
