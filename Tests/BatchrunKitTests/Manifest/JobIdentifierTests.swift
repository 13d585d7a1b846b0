@testable import BatchrunKit
import Foundation
import Testing

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
