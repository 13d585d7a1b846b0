/// Quotes words for display as a POSIX shell would need them.
enum ShellQuote {
  static func quote(_ word: String) -> String {
    let safe = word.unicodeScalars.allSatisfy {
      $0.properties.isAlphabetic || ("0"..."9").contains($0) || "-_./=:,+@%".unicodeScalars.contains($0)
    }
    if safe, !word.isEmpty { return word }
    return "'" + word.split(separator: "'", omittingEmptySubsequences: false).joined(separator: "'\\''") + "'"
  }
}
