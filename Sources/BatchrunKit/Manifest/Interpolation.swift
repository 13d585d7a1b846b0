/// `${{ NAME }}` references in manifest text, as docs/manifest.md ("Interpolation") gives
/// them: `vars.NAME`, `matrix.AXIS` or `job.id`, spaces inside the braces optional, and
/// `$${{` for a literal `${{`.
enum Interpolation {
  /// A piece of text: as written, or a reference to replace.
  enum Piece: Equatable {
    case literal(String)
    /// `name` as written inside the braces, trimmed; `index` counts the references of the
    /// text from 0 (escapes not counted), to find it in the source.
    case reference(name: String, index: Int)
  }

  /// A `${{` with no `}}` after it; `index` as in ``Piece/reference(name:index:)``.
  struct Unterminated: Error, Equatable {
    var index: Int
  }

  /// Whether `text` may hold a reference or an escape: a quick test before ``pieces(of:)``.
  static func mayContain(_ text: String) -> Bool {
    var previous: UInt8 = 0
    var beforePrevious: UInt8 = 0
    for byte in text.utf8 {
      if byte == UInt8(ascii: "{"), previous == UInt8(ascii: "{"), beforePrevious == UInt8(ascii: "$") {
        return true
      }
      beforePrevious = previous
      previous = byte
    }
    return false
  }

  /// `text` cut into literals and references.
  static func pieces(of text: String) throws(Unterminated) -> [Piece] {
    let bytes = Array(text.utf8)
    var pieces: [Piece] = []
    var literal: [UInt8] = []
    var index = 0
    var position = 0
    func starts(_ marker: String, at offset: Int) -> Bool {
      let marker = Array(marker.utf8)
      return offset + marker.count <= bytes.count && Array(bytes[offset..<offset + marker.count]) == marker
    }
    while position < bytes.count {
      if starts("$${{", at: position) {
        literal += Array("${{".utf8)
        position += 4
      } else if starts("${{", at: position) {
        var end = position + 3
        while end < bytes.count, !starts("}}", at: end) { end += 1 }
        guard end < bytes.count else { throw Unterminated(index: index) }
        if !literal.isEmpty { pieces.append(.literal(String(decoding: literal, as: UTF8.self))) }
        literal = []
        let name = String(decoding: bytes[(position + 3)..<end], as: UTF8.self)
        pieces.append(.reference(name: name.trimmingSpaces, index: index))
        index += 1
        position = end + 2
      } else {
        literal.append(bytes[position])
        position += 1
      }
    }
    if !literal.isEmpty { pieces.append(.literal(String(decoding: literal, as: UTF8.self))) }
    return pieces
  }
}

extension String {
  /// The text without leading and trailing spaces and tabs.
  var trimmingSpaces: String {
    let scalars = unicodeScalars
    guard let first = scalars.firstIndex(where: { $0 != " " && $0 != "\t" }) else { return "" }
    let last = scalars.lastIndex(where: { $0 != " " && $0 != "\t" })!
    return String(scalars[first...last])
  }
}
