@testable import BatchrunKit
import Foundation
import Testing

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
