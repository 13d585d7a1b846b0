import BatchrunKit
import Foundation
import Testing

@Suite("DurationText")
struct DurationTextTests {
  @Test(
    "Valid durations",
    arguments: [
      ("250ms", Duration.milliseconds(250)), ("30s", .seconds(30)), ("5m", .seconds(300)),
      ("1h30m", .seconds(5400)), ("1h", .seconds(3600)), ("1.5", .milliseconds(1500)), ("0", .zero),
      ("2", .seconds(2)), ("1.5s", .milliseconds(1500)), ("0.25m", .seconds(15)),
      ("1h30m15s250ms", .milliseconds(5_415_250)), ("2m30s", .seconds(150)), (" 30s ", .seconds(30)),
      ("0ms", .zero), ("90m", .seconds(5400)),
    ])
  func valid(_ text: String, _ expected: Duration) {
    #expect(DurationText.parse(text) == expected)
  }

  @Test(
    "Invalid durations",
    arguments: [
      "", " ", "5 minutes", "-5s", "-1", "-0.5", "1h1h", "30s1m", "ms", "s", "5x", "1.5.5s", "5m30", "inf",
      "nan",
      "1d", "5S", "1 h", "h1", "5mss",
    ])
  func invalid(_ text: String) {
    #expect(DurationText.parse(text) == nil)
  }

  @Test(
    "Durations up to the maximum, 8760h",
    arguments: [
      ("8760h", Duration.seconds(31_536_000)), ("525600m", .seconds(31_536_000)),
      ("31536000", .seconds(31_536_000)), ("8759h59m59s999ms", .milliseconds(31_535_999_999)),
      ("31535999.9994", .milliseconds(31_535_999_999)),
    ])
  func upToTheMaximum(_ text: String, _ expected: Duration) throws {
    #expect(try DurationText.value(of: text) == expected)
    #expect(DurationText.maximum == .seconds(31_536_000))
    #expect(DurationText.maximumText == "8760h")
  }

  @Test(
    "Longer than the maximum, even beyond any integer, is too large rather than invalid",
    arguments: [
      "8760h1ms", "8761h", "31536000.001", "99999999999999999999999h", "9223372036854775807s", "1e400",
      "inf", String(repeating: "9", count: 400) + "ms", "1h" + String(repeating: "9", count: 400) + "s",
    ])
  func tooLarge(_ text: String) {
    #expect(throws: DurationText.Problem.tooLarge) { try DurationText.value(of: text) }
    #expect(DurationText.parse(text) == nil)
  }

  @Test(
    "What is not a duration stays invalid, however large its numbers",
    arguments: ["-5s", "-inf", "nan", "5x", "99999999999999999999h5x", "1e400s", "9999999999h1h"])
  func invalidEvenIfLarge(_ text: String) {
    #expect(throws: DurationText.Problem.invalid) { try DurationText.value(of: text) }
  }

  @Test("Duration.seconds is the duration as a Double")
  func seconds() {
    #expect(Duration.milliseconds(1500).seconds == 1.5)
    #expect(Duration.seconds(90).seconds == 90)
    #expect(Duration.zero.seconds == 0)
  }
}

@Suite("Suggestion")
struct SuggestionTests {
  @Test(
    "Likely typos find the intended word",
    arguments: [
      ("biuld", "build"), ("tset", "test"), ("BUILD", "build"), ("buidl", "build"), ("deplyo", "deploy"),
      ("packge", "package"), ("tests", "test"), ("lnt", "lint"),
    ])
  func closest(_ word: String, _ expected: String) {
    #expect(Suggestion.closest(to: word, in: ["build", "test", "deploy", "package", "lint"]) == expected)
  }

  @Test(
    "Words that are not close get no suggestion",
    arguments: ["zzzz", "xyz", "compile", "documentation", "bd"])
  func noSuggestion(_ word: String) {
    #expect(Suggestion.closest(to: word, in: ["build", "test", "deploy", "package", "lint"]) == nil)
  }

  @Test("The closest candidate wins; the first one on a tie")
  func closestWins() {
    #expect(Suggestion.closest(to: "tast", in: ["toast", "task", "test"]) == "toast")
    #expect(Suggestion.closest(to: "abcdef", in: ["abcdxx", "abcdex"]) == "abcdex")
  }

  @Test("No candidates, no suggestion")
  func empty() {
    #expect(Suggestion.closest(to: "build", in: [String]()) == nil)
  }

  @Test("didYouMean phrases it, or says nothing")
  func didYouMean() {
    #expect(Suggestion.didYouMean("biuld", in: ["build"]) == " (did you mean 'build'?)")
    #expect(Suggestion.didYouMean("zzzz", in: ["build"]) == "")
  }
}

@Suite("JobIdentifier")
struct JobIdentifierTests {
  @Test(
    "Valid ids",
    arguments: [
      "a", "A", "0", "_", "build", "build-2", "v1.2.3", "_private", "0start", "a--b..c__",
      String(repeating: "x", count: 128),
    ])
  func valid(_ id: String) {
    #expect(JobIdentifier.isValid(id))
  }

  @Test(
    "Invalid ids",
    arguments: [
      "", "-a", ".a", "a b", "a/b", "a:b", "caf\u{E9}", "a\tb", "a\nb", "\u{1F600}", "a$", "a*",
      String(repeating: "x", count: 129),
    ])
  func invalid(_ id: String) {
    #expect(!JobIdentifier.isValid(id))
  }

  @Test("The length limit is 128")
  func maximumLength() {
    #expect(JobIdentifier.maximumLength == 128)
  }

  @Test(
    "Suggestions replace bad characters with '-' and drop a bad start",
    arguments: [
      ("build step", "build-step"), (".hidden", "hidden"), ("a/b:c", "a-b-c"), ("caf\u{E9}", "caf-"),
      ("--x", "x"),
    ])
  func suggestion(_ id: String, _ expected: String) {
    #expect(JobIdentifier.suggestion(for: id) == expected)
    #expect(JobIdentifier.isValid(expected))
  }

  @Test(
    "No suggestion when nothing valid is left",
    arguments: ["...", "", "---", String(repeating: "y", count: 200)])
  func noSuggestion(_ id: String) {
    #expect(JobIdentifier.suggestion(for: id) == nil)
  }
}

@Suite("SHA256")
struct SHA256Tests {
  @Test(
    "Known vectors",
    arguments: [
      ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
      ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
      (
        "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
      ),
      ("caf\u{E9} \u{2713}", "3c15bbb0672ec7f843be05677dce1b0c2fb7e64a16618e498decbbdf3b6cd6e2"),
    ])
  func vectors(_ text: String, _ digest: String) {
    #expect(SHA256.hex(Array(text.utf8)) == digest)
  }

  @Test(
    "Lengths around the padding boundaries",
    arguments: [
      (55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318"),
      (56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a"),
      (63, "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34"),
      (64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb"),
      (65, "635361c48bb9eab14198e76ea8ab7f1a41685d6ad62aa9146d301d4f17eb0ae0"),
      (1_000_000, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"),
    ])
  func repeatedA(_ count: Int, _ digest: String) {
    #expect(SHA256.hex([UInt8](repeating: UInt8(ascii: "a"), count: count)) == digest)
  }
}

@Suite("Diagnostic")
struct DiagnosticTests {
  @Test("Compiler-style description")
  func description() {
    let located = Diagnostic(
      at: BatchrunKit.SourceLocation(file: "ci.yaml", line: 12, column: 5), "unknown key 'x'")
    #expect(located.description == "ci.yaml:12:5: error: unknown key 'x'")
    #expect(located.file == "ci.yaml")
    #expect(located.location?.lineColumn == "12:5")
    let fileOnly = Diagnostic(at: nil, file: "ci.yaml", "no job named 'x'")
    #expect(fileOnly.description == "ci.yaml: error: no job named 'x'")
    let nowhere = Diagnostic(.warning, at: nil, "odd")
    #expect(nowhere.description == "batchrun: warning: odd")
  }

  @Test("Sorted by line, then column; located ones first")
  func ordering() {
    func at(_ line: Int, _ column: Int) -> Diagnostic {
      Diagnostic(at: BatchrunKit.SourceLocation(file: "f", line: line, column: column), "\(line):\(column)")
    }
    let unlocated = Diagnostic(at: nil, file: "f", "none")
    let sorted = [at(10, 1), unlocated, at(2, 9), at(2, 3), at(1, 20)].sorted()
    #expect(sorted.map(\.message) == ["1:20", "2:3", "2:9", "10:1", "none"])
  }

  @Test("The printer adds a count when there are several errors, and colours only when asked")
  func printer() {
    let one = Diagnostic(at: BatchrunKit.SourceLocation(file: "f.yaml", line: 1, column: 2), "bad")
    let two = Diagnostic(at: BatchrunKit.SourceLocation(file: "f.yaml", line: 3, column: 4), "worse")
    let plain = DiagnosticPrinter(useColor: false)
    #expect(plain.format([one]) == "f.yaml:1:2: error: bad\n")
    #expect(plain.format([one, two]) == "f.yaml:1:2: error: bad\nf.yaml:3:4: error: worse\n2 errors\n")
    #expect(plain.format([]) == "")
    let coloured = DiagnosticPrinter(useColor: true).format(one)
    #expect(coloured.contains("\u{1B}["))
    #expect(coloured.contains("f.yaml:1:2:"))
    #expect(coloured.contains("bad"))
  }
}

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

@Suite("LogText.tailLines: what the console, JUnit and HTML show of a log")
struct LogTailTests {
  /// Writes `text` to a new temporary file and returns its path.
  func file(_ text: String) throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("tail-\(UUID().uuidString).log")
      .path
    try text.write(toFile: path, atomically: false, encoding: .utf8)
    return path
  }

  @Test("a whole small log: every line, nothing cut; the trailing newline adds no line")
  func whole() throws {
    let tail = try #require(LogText.tailLines(ofFile: try file("one\ntwo\n"), maxBytes: 100, lines: 10))
    #expect(tail.lines == ["one", "two"])
    #expect(!tail.cut)
  }

  @Test("the line the byte window starts inside is dropped, and the result says so")
  func partialFirstLineDropped() throws {
    let tail = try #require(
      LogText.tailLines(ofFile: try file("first line\nsecond\nthird\n"), maxBytes: 16, lines: 10))
    #expect(tail.lines == ["second", "third"])
    #expect(tail.cut)
  }

  @Test("a single line longer than the window is kept, not dropped")
  func longSingleLineKept() throws {
    let tail = try #require(
      LogText.tailLines(ofFile: try file(String(repeating: "x", count: 100) + "\n"), maxBytes: 10, lines: 10))
    #expect(tail.lines == [String(repeating: "x", count: 9)])
    #expect(tail.cut)
  }

  @Test("only the last `lines` lines; an empty file has none; a missing one is nil")
  func lastLines() throws {
    let tail = try #require(LogText.tailLines(ofFile: try file("1\n2\n3\n4\n"), maxBytes: 100, lines: 2))
    #expect(tail.lines == ["3", "4"])
    #expect(tail.cut)
    #expect(LogText.tailLines(ofFile: try file(""), maxBytes: 100, lines: 2)?.lines == [])
    #expect(LogText.tailLines(ofFile: "/nonexistent/log", maxBytes: 100, lines: 2) == nil)
  }

  @Test("log paths from a report must stay inside the run directory")
  func staysInside() {
    #expect(LogText.staysInsideRunDirectory("logs/a.log"))
    #expect(!LogText.staysInsideRunDirectory("/etc/passwd"))
    #expect(!LogText.staysInsideRunDirectory("logs/../../x"))
    #expect(!LogText.staysInsideRunDirectory(""))
  }
}

extension LogTailTests {
  @Test("keepingCutLine keeps the end of the line the window starts inside")
  func keepingCutLine() throws {
    let tail = try #require(
      LogText.tailLines(
        ofFile: try file("first line\nsecond\n"), maxBytes: 10, lines: 10, keepingCutLine: true))
    #expect(tail.lines == ["ne", "second"])
    #expect(tail.cut)
  }
}

extension LogTailTests {
  @Test("tailFromLineStart: the bytes from the first whole line, or the cut line when it is all there is")
  func fromLineStart() throws {
    let cut = try #require(LogText.tailFromLineStart(ofFile: try file("first line\nsecond\n"), maxBytes: 10))
    #expect(Array(cut.bytes) == Array("second\n".utf8))
    #expect(cut.cut)
    let only = try #require(LogText.tailFromLineStart(ofFile: try file("first line\n"), maxBytes: 5))
    #expect(Array(only.bytes) == Array("line\n".utf8))
    let whole = try #require(LogText.tailFromLineStart(ofFile: try file("a\nb\n"), maxBytes: 100))
    #expect(Array(whole.bytes) == Array("a\nb\n".utf8))
    #expect(!whole.cut)
  }
}
