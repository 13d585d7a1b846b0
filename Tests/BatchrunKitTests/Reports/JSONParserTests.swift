@testable import BatchrunKit
import Testing

/// The JSON reader (RFC 8259) on crafted and damaged text: a value or a ``JSONParser/Failure``
/// that says where and why, never a trap.
@Suite("JSON parser")
struct JSONParserTests {
  static func parseFailure(_ text: String) -> JSONParser.Failure? {
    parseFailure(Array(text.utf8))
  }

  static func parseFailure(_ bytes: [UInt8]) -> JSONParser.Failure? {
    do {
      _ = try JSONParser.parse(bytes)
      return nil
    } catch {
      return error
    }
  }

  @Test(
    "a lone surrogate is an error, wherever it is",
    arguments: [
      #""\ud800\u0041""#, #""\ud800""#, #""x\udbff""#, #""\udc00""#, #""\udfff\ud800""#, #""\ud800\ud800""#,
      #""\uD800\n""#, #"{"\ud800": 1}"#, #"["ok", "\ud800\u0041"]"#, #""\ud800\u""#, #""\ud800\"#,
    ])
  func loneSurrogates(_ text: String) throws {
    let failure = try #require(Self.parseFailure(text), "\(text) parsed")
    #expect(
      failure.message.contains("surrogate") || failure.message.contains("hexadecimal")
        || failure.message.contains("does not end"), "\(failure)")
  }

  @Test("surrogate pairs and other escapes read as the characters they stand for")
  func escapes() throws {
    #expect(
      try JSONParser.parse(#""\ud83d\ude80 \u00e9\u0041\/\"\\\b\f\n\r\t""#)
        == .string("🚀 éA/\"\\\u{8}\u{c}\n\r\t"))
    #expect(try JSONParser.parse(#""\uD83D\uDE80""#) == .string("🚀"))
    #expect(try JSONParser.parse("\"é ✓\"") == .string("é ✓"))
  }

  @Test(
    "strings RFC 8259 does not allow are errors",
    arguments: [
      ("\"a\u{1}b\"", "control character"), ("\"a\nb\"", "control character"), (#""\x41""#, "unknown escape"),
      (#""\u12G4""#, "hexadecimal"), (#""\u+123""#, "hexadecimal"), (#""\u-000""#, "hexadecimal"),
      (#""abc"#, "does not end"),
      (#""\"#, "does not end"),
    ])
  func badStrings(_ text: String, _ expected: String) throws {
    let failure = try #require(Self.parseFailure(text), "\(text) parsed")
    #expect(failure.message.contains(expected), "\(failure)")
  }

  @Test("bytes that are not UTF-8 in a string are an error")
  func notUTF8() throws {
    for bytes: [UInt8] in [
      [0x22, 0xFF, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22], [0x22, 0xC3, 0x22], [0x22, 0xC0, 0xAF, 0x22],
    ] {
      let failure = try #require(Self.parseFailure(bytes), "\(bytes) parsed")
      #expect(failure.message.contains("not UTF-8"), "\(failure)")
    }
  }

  @Test("numbers: whole ones that fit are Int, others finite Double")
  func numbers() throws {
    #expect(try JSONParser.parse("42") == .int(42))
    #expect(try JSONParser.parse("-0") == .int(0))
    #expect(try JSONParser.parse("9223372036854775807") == .int(Int.max))
    #expect(try JSONParser.parse("-9223372036854775808") == .int(Int.min))
    #expect(try JSONParser.parse("9223372036854775808") == .double(9_223_372_036_854_775_808))
    #expect(try JSONParser.parse("1e20") == .double(1e20))
    #expect(try JSONParser.parse("1e300") == .double(1e300))
    #expect(try JSONParser.parse("-1e300") == .double(-1e300))
    #expect(try JSONParser.parse("1.5E-3") == .double(0.0015))
    #expect(try JSONParser.parse("1e-400") == .double(0))
  }

  @Test(
    "numbers out of range or not in JSON's form are errors, never infinities",
    arguments: [
      "1e400", "-1e400", "1" + String(repeating: "0", count: 400) + ".0", "NaN", "nan", "Infinity",
      "-Infinity",
      "inf", "01", "1.", ".5", "+1", "-", "1e", "1e+", "0x10", "1.5e3.2", "--1", "- 1", "1_000", "１",
    ])
  func badNumbers(_ text: String) {
    #expect(Self.parseFailure(text) != nil, "\(text) parsed")
    #expect(Self.parseFailure("[\(text)]") != nil, "[\(text)] parsed")
    #expect(Self.parseFailure(#"{"duration_seconds": \#(text)}"#) != nil)
  }

  @Test("whole numbers are read as Int only when they are one and fit")
  func intValues() {
    #expect(JSON.double(2).intValue == 2)
    #expect(JSON.double(-3).intValue == -3)
    #expect(JSON.double(2.5).intValue == nil)
    #expect(JSON.double(1e20).intValue == nil)
    #expect(JSON.double(-1e300).intValue == nil)
    #expect(JSON.double(.infinity).intValue == nil)
    #expect(JSON.double(.nan).intValue == nil)
    #expect(JSON.double(9_223_372_036_854_775_808).intValue == nil)
    #expect(JSON.string("3").intValue == nil)
  }

  @Test("nesting deeper than the limit is an error, never a stack overflow")
  func deepNesting() throws {
    for (open, close) in [("[", "]"), ("{\"a\":", "}")] {
      for depth in [JSONParser.maxDepth + 1, 1000, 100_000] {
        let unclosed = String(repeating: open, count: depth)
        let closed = unclosed + "1" + String(repeating: close, count: depth)
        for text in [unclosed, closed] {
          let failure = try #require(Self.parseFailure(text), "depth \(depth) parsed")
          #expect(failure.message.contains("nested more than \(JSONParser.maxDepth)"), "\(failure)")
        }
      }
      let deepest =
        String(repeating: open, count: JSONParser.maxDepth) + "1"
        + String(repeating: close, count: JSONParser.maxDepth)
      #expect(Self.parseFailure(deepest) == nil, "\(JSONParser.maxDepth) levels are allowed")
    }
  }

  @Test(
    "text that is not one JSON value is an error",
    arguments: [
      "", " \n", "{", "[", "[1,", "[1,]", "{\"a\"}", "{\"a\":}", "{\"a\":1,}", "{a:1}", "tru", "nul", "[1 2]",
      "1 2",
      "{\"a\":1}}", "\u{FEFF}{}", "'a'",
    ])
  func notJSON(_ text: String) {
    #expect(Self.parseFailure(text) != nil, "\(text) parsed")
  }

  @Test("a report cut anywhere is refused, never a trap")
  func truncated() {
    let bytes = JUnitReportTests.everyStatus.bytes(pretty: false)
    // Every fifth cut, and every cut near either end.
    let cuts = Set(stride(from: 0, to: bytes.count, by: 5)).union(0..<64).union(
      bytes.count - 64..<bytes.count)
    for end in cuts.sorted() {
      #expect(Self.parseFailure(Array(bytes[0..<end])) != nil, "a report cut at byte \(end) parsed")
    }
    #expect(Self.parseFailure(bytes) == nil)
  }

  @Test("random bytes and mangled reports are read or refused, never a trap")
  func garbage() throws {
    var random = HTMLReportTests.SplitMix64(state: 0x5EED)
    let report = JUnitReportTests.everyStatus.bytes(pretty: false)
    for round in 0..<600 {
      var bytes: [UInt8]
      if round % 2 == 0 {
        bytes = (0..<Int(random.next() % 200)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
      } else {
        bytes = report
        for _ in 0..<1 + Int(random.next() % 4) {
          bytes[Int(random.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: random.next())
        }
      }
      // What parses reads back the same from what it renders.
      if let json = try? JSONParser.parse(bytes) {
        #expect(try JSONParser.parse(json.rendered(pretty: false)) == json)
      }
    }
  }
}
