@testable import BatchrunKit
import Foundation
import Testing

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
