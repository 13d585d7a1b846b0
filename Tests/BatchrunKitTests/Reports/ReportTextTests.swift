@testable import BatchrunKit
import Foundation
import Testing

@Suite("Report text: timestamps and JSON strings")
struct ReportTextTests {
  @Test(
    "RFC 3339 timestamps in UTC, to the millisecond",
    arguments: [
      (Int64(0), "1970-01-01T00:00:00.000Z"), (1_795_765_146_349, "2026-11-27T07:39:06.349Z"),
      (951_782_400_007, "2000-02-29T00:00:00.007Z"), (4_102_444_799_999, "2099-12-31T23:59:59.999Z"),
    ])
  func rfc3339(_ milliseconds: Int64, _ expected: String) {
    let instant = WallClock.Instant(millisecondsSinceEpoch: milliseconds)
    #expect(instant.rfc3339 == expected)
    #expect(instant.compact == expected.filter { $0 != "-" && $0 != ":" })
    #expect(WallClock.Instant(rfc3339: expected) == instant)
  }

  @Test(
    "Only real times in batchrun's form are read back",
    arguments: [
      "2026-13-01T00:00:00.000Z", "2026-02-30T00:00:00.000Z", "2026-11-27T24:00:00.000Z",
      "2026-11-27T04:45:14.123", "2026-11-27 04:45:14.123Z", "2026-11-27T04:45:14Z",
      "٢٠٢٦-11-27T04:45:14.123Z", "2026-1a-27T04:45:14.123Z", "",
    ])
  func rejectedTimestamps(_ text: String) {
    #expect(WallClock.Instant(rfc3339: text) == nil)
  }

  @Test(
    "strings are escaped as JSON requires, and read back unchanged",
    arguments: [
      ("plain", #""plain""#), ("say \"hi\"", #""say \"hi\"""#), (#"C:\dir"#, #""C:\\dir""#),
      ("a\nb\tc\rd", #""a\nb\tc\rd""#), ("\u{1}\u{1f}\u{7f}", #""\u0001\u001f\#u{7f}""#),
      ("é ✓ 🚀", "\"é ✓ 🚀\""), ("", #""""#),
    ])
  func quoting(_ text: String, _ expected: String) throws {
    #expect(JSON.quote(text) == expected)
    let document = JSON.object([("key \"\n", .string(text))])
    let compact = document.rendered(pretty: false)
    #expect(try JSONParser.parse(compact) == document)
    #expect(try JSONParser.parse(document.rendered(pretty: true)) == document)
    #expect(document.bytes(pretty: false) == Array(compact.utf8))
  }

  @Test("pretty output indents by two spaces; compact output has no space")
  func layout() {
    let document = JSON.object([
      ("a", .array([.int(1), .double(2.5), .null])), ("b", .object([])), ("c", .bool(true)),
    ])
    #expect(document.rendered(pretty: false) == #"{"a":[1,2.5,null],"b":{},"c":true}"#)
    #expect(
      document.rendered(pretty: true) == """
        {
          "a": [
            1,
            2.5,
            null
          ],
          "b": {},
          "c": true
        }
        """)
  }
}
