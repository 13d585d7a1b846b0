import Foundation
import Testing

@testable import BatchrunKit

@Suite("InputGlob: what an inputs pattern matches")
struct InputGlobTests {
  let root: URL

  init() throws {
    root = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent(
      "batchrun-glob-\(UUID().uuidString)")
    for file in [
      "a.swift", "b.txt", ".hidden.swift", "src/c.swift", "src/deep/d.swift", "src/deep/e.txt", "docs/f.md",
    ] {
      let url = root.appendingPathComponent(file)
      try FileManager.default.createDirectory(
        at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
      try Data(file.utf8).write(to: url)
    }
  }

  func matches(_ pattern: String) -> [String] {
    InputGlob.files(matching: pattern, in: root.path).map { String($0.dropFirst(root.path.count + 1)) }
  }

  @Test(
    "patterns",
    arguments: [
      ("*.swift", ["a.swift"]),
      ("b.txt", ["b.txt"]),
      ("./b.txt", ["b.txt"]),
      (".*.swift", [".hidden.swift"]),
      ("src/*.swift", ["src/c.swift"]),
      ("src/**/*.swift", ["src/c.swift", "src/deep/d.swift"]),
      ("**/*.txt", ["b.txt", "src/deep/e.txt"]),
      ("src", ["src/c.swift", "src/deep/d.swift", "src/deep/e.txt"]),
      ("src/**", ["src/c.swift", "src/deep/d.swift", "src/deep/e.txt"]),
      ("src/deep/[de].*", ["src/deep/d.swift", "src/deep/e.txt"]),
      ("missing/*.swift", []),
      ("nothing.txt", []),
    ])
  func patterns(_ pattern: String, _ expected: [String]) {
    #expect(matches(pattern) == expected)
  }

  @Test("an absolute pattern is taken as it is")
  func absolute() {
    #expect(InputGlob.files(matching: root.path + "/docs/*.md", in: "/nowhere") == [root.path + "/docs/f.md"])
  }
}
