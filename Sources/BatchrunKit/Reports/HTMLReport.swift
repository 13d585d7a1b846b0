import Glibc

/// `batchrun report --format html`: one self-contained page (inline CSS and a small
/// inline script; no network, fonts or images) with the run's summary, a timeline of
/// every attempt on its worker lane, and a table of the jobs with the tails of their logs.
///
/// Works from the report alone, so any saved report renders; logs are read only from
/// the `runDirectory` given (``ReportLoader/runDirectory(of:at:)`` finds it), never along a
/// path leading out of it. The timeline is absolutely positioned elements in one box per
/// lane, so runs of thousands of jobs stay light (5,000 jobs: about 2.6 MB); log tails
/// are capped (see ``tailBudget`` and ``allTailsUpTo``).
public enum HTMLReport {
  /// Lines of a job's log embedded at most.
  static let tailLines = 30
  /// Bytes read from the end of each log at most.
  static let tailBytes = 4096
  /// Bytes of log text embedded in all at most; past it, tails are left out (and said so).
  static let tailBudget = 1 << 20
  /// In runs of more jobs than this, only jobs that did not succeed get their log tail.
  static let allTailsUpTo = 200

  /// The page for `report`; `runDirectory`, when given, is where the jobs' logs are read
  /// from (their `log` paths are relative to it).
  public static func render(_ report: ReportDocument, runDirectory: String?) -> String {
    let page = HTMLPage(report: report, runDirectory: runDirectory)
    var out = ""
    out.reserveCapacity(4096 + page.jobs.count * 600)
    page.head(&out)
    page.summary(&out)
    page.timeline(&out)
    page.table(&out)
    out +=
      "<aside id=\"details\" hidden><button type=\"button\" id=\"details-close\" title=\"close\">&#xd7;</button>"
    out += "<h3></h3><dl></dl><ul class=\"attempts\"></ul><pre class=\"tail\"></pre></aside>\n"
    out += "<script>\n" + script + "</script>\n</body>\n</html>\n"
    return out
  }

  /// `text` safe as HTML text and as a quoted attribute value. Control characters but tab
  /// and newline become U+FFFD.
  static func escape(_ text: String) -> String {
    let special = text.utf8.contains {
      $0 == UInt8(ascii: "&") || $0 == UInt8(ascii: "<") || $0 == UInt8(ascii: ">")
        || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "'")
        || ($0 < 0x20 && $0 != UInt8(ascii: "\n") && $0 != UInt8(ascii: "\t")) || $0 == 0x7F
    }
    if !special { return text }
    var out = ""
    out.reserveCapacity(text.utf8.count + 16)
    for scalar in text.unicodeScalars {
      switch scalar {
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "\"": out += "&quot;"
      case "'": out += "&#39;"
      case "\n", "\t": out.unicodeScalars.append(scalar)
      case _ where scalar.value < 0x20 || scalar.value == 0x7F: out += "\u{FFFD}"
      default: out.unicodeScalars.append(scalar)
      }
    }
    return out
  }

  /// The last ``tailLines`` lines of the log at `path` (read from its last ``tailBytes``),
  /// as plain text: carriage-return overwrites resolved, terminal escape sequences and
  /// other control characters removed. `nil` if the file cannot be read or is empty.
  static func logTail(_ path: String) -> (text: String, cut: Bool)? {
    guard let (lines, cut) = LogText.tailLines(ofFile: path, maxBytes: tailBytes, lines: tailLines),
      !lines.isEmpty
    else { return nil }
    return (clean(lines.joined(separator: "\n")), cut)
  }

  /// Log text as a terminal would leave it: escape sequences removed (as in JUnit XML),
  /// carriage-return overwrites resolved, other control characters but tab dropped.
  static func clean(_ text: String) -> String {
    var out = ""
    var line = ""
    var carriageReturn = false  // a "\r" not (yet) followed by "\n": what follows overwrites the line
    for scalar in LogText.removingEscapeSequences(text).unicodeScalars {
      switch scalar {
      case "\n":
        out += line
        out += "\n"
        line = ""
        carriageReturn = false
      case "\r": carriageReturn = true
      case _ where scalar.value < 0x20 && scalar != "\t" || scalar.value == 0x7F: break
      default:
        if carriageReturn {
          line = ""
          carriageReturn = false
        }
        line.unicodeScalars.append(scalar)
      }
    }
    return out + line
  }
}
