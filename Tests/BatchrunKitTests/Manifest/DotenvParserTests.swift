@testable import BatchrunKit
import Testing

@Suite("dotenv files")
struct DotenvParserTests {
  @Test(
    "Lines and the values they give",
    arguments: [
      ("A=1", "A", "1"), ("export B=two words", "B", "two words"), ("C = spaced ", "C", "spaced"),
      ("D=x # comment", "D", "x"), ("E=x#not-comment", "E", "x#not-comment"),
      ("F='$HOME \\n # lit'", "F", "$HOME \\n # lit"),
      ("G=\"a\\nb\\t\\\"c\\\\\"", "G", "a\nb\t\"c\\"), ("H=", "H", ""), ("I=\"\" # empty", "I", ""),
      ("J=$OTHER", "J", "$OTHER"), ("K=a=b", "K", "a=b"),
    ])
  func values(_ line: String, _ name: String, _ value: String) {
    let parsed = DotenvParser.parse(line, file: "x.env")
    #expect(parsed.problems == [])
    #expect(parsed.variables == [EnvironmentVariable(name, value)])
  }

  @Test("Blank lines, comments and CRLF endings")
  func skipped() {
    let parsed = DotenvParser.parse("\n# c\n   \nA=1\r\n  # indented\n", file: "x.env")
    #expect(parsed.variables == [EnvironmentVariable("A", "1")])
    #expect(parsed.problems.isEmpty)
  }

  @Test(
    "Bad lines, at their column",
    arguments: [
      ("junk", 1, "expected KEY=VALUE"), ("  9A=1", 3, "invalid variable name"),
      ("A='open", 3, "single quote"),
      ("A=\"x\\y\"", 5, "unknown escape"), ("A=\"x\" y", 7, "unexpected text"),
      ("A-B=1", 1, "invalid variable name"),
    ])
  func problems(_ line: String, _ column: Int, _ phrase: String) {
    let parsed = DotenvParser.parse("OK=1\n" + line, file: "x.env")
    #expect(parsed.problems.count == 1)
    #expect(parsed.problems.first?.location == SourceLocation(file: "x.env", line: 2, column: column))
    #expect(parsed.problems.first?.message.contains(phrase) == true, "\(parsed.problems)")
  }
}
