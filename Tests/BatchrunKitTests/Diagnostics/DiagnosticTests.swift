@testable import BatchrunKit
import Foundation
import Testing

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
