@testable import BatchrunKit
import Testing

/// `report --diff`: what counts as newly failing, fixed, still failing, added, removed,
/// slower, faster and flaky, from two hand-built reports.
@Suite("Report diff")
struct ReportDiffTests {
  static func job(
    _ id: String, _ status: String, duration: Double = 10, attempts: Int = 1, allowFailure: Bool = false
  ) -> JSON {
    JUnitReportTests.job(
      id, status, exitCode: status == "failed" ? 2 : status == "succeeded" ? 0 : nil,
      signal: status == "timed_out" ? "SIGTERM" : nil, allowFailure: allowFailure, duration: duration,
      attempts: attempts)
  }

  static func diff(_ before: [JSON], _ after: [JSON]) -> ReportDiff {
    ReportDiff(from: JUnitReportTests.report(before).document, to: JUnitReportTests.report(after).document)
  }

  @Test("statuses: newly failing, fixed, still failing; skipped and allowed failures are neither")
  func statuses() {
    let changes = Self.diff(
      [
        Self.job("breaks", "succeeded"), Self.job("times-out", "succeeded"), Self.job("mends", "failed"),
        Self.job("stays", "timed_out"), Self.job("skips", "succeeded"), Self.job("allowed", "succeeded"),
        Self.job("was-skipped", "skipped"), Self.job("mended-to-skip", "failed"),
      ],
      [
        Self.job("breaks", "failed"), Self.job("times-out", "timed_out"), Self.job("mends", "succeeded"),
        Self.job("stays", "failed"), Self.job("skips", "skipped"),
        Self.job("allowed", "failed", allowFailure: true),
        Self.job("was-skipped", "failed"), Self.job("mended-to-skip", "skipped"),
      ])
    #expect(changes.newlyFailing.map(\.id) == ["breaks", "times-out", "was-skipped"])
    #expect(changes.newlyFailing.first?.ending == "exit 2")
    #expect(changes.newlyFailing.first?.before == .succeeded)
    #expect(changes.fixed.map(\.id) == ["mends"])
    #expect(changes.stillFailing.map(\.id) == ["stays"])
    #expect(changes.isRegression)
  }

  @Test("jobs added and removed; nothing else changed is no regression")
  func addedAndRemoved() {
    let changes = Self.diff(
      [Self.job("a", "succeeded"), Self.job("gone", "failed")],
      [Self.job("new", "failed"), Self.job("a", "succeeded")])
    #expect(changes.added == ["new"])
    #expect(changes.removed == ["gone"])
    #expect(changes.newlyFailing.isEmpty && changes.stillFailing.isEmpty)
    #expect(!changes.isRegression, "a new job that fails is added, not a regression of it")
  }

  @Test(
    "a duration counts as changed past 20 % and 1 s both",
    arguments: [
      (10.0, 12.5, "slower"), (10.0, 12.0, "same"), (2.0, 2.9, "same"), (2.0, 3.1, "slower"),
      (10.0, 7.9, "faster"), (10.0, 8.5, "same"), (0.1, 1.2, "slower"), (0.5, 0.1, "same"),
    ])
  func durations(before: Double, after: Double, expected: String) {
    let changes = Self.diff(
      [Self.job("x", "succeeded", duration: before)], [Self.job("x", "succeeded", duration: after)])
    let found = !changes.slower.isEmpty ? "slower" : !changes.faster.isEmpty ? "faster" : "same"
    #expect(found == expected)
    #expect(changes.isRegression == (expected == "slower"))
  }

  @Test("a job that never ran in one of the runs is not timed; flaky jobs succeeded after retries")
  func flakyAndUntimed() {
    let changes = Self.diff(
      [Self.job("skipped-before", "skipped"), Self.job("flaky", "succeeded")],
      [Self.job("skipped-before", "succeeded", duration: 100), Self.job("flaky", "succeeded", attempts: 3)])
    #expect(changes.slower.isEmpty)
    #expect(changes.flaky.map(\.id) == ["flaky"] && changes.flaky.map(\.attempts) == [3])
  }

  @Test("text and JSON say the same")
  func outputs() throws {
    let before = JUnitReportTests.report([Self.job("a", "succeeded", duration: 2)]).document
    let after = JUnitReportTests.report([Self.job("a", "failed", duration: 5), Self.job("b", "succeeded")])
      .document
    let changes = ReportDiff(from: before, to: after)
    let text = changes.text(before: before, after: after)
    #expect(text.contains("newly failing (1):\n  a: failed, exit 2, was succeeded\n"), "\(text)")
    #expect(text.contains("added (1):\n  b\n"))
    #expect(text.contains("slower (1):\n  a: 2.0s -> 5.0s (+150%)\n"), "\(text)")
    #expect(text.hasSuffix("1 newly failing, 1 added, 1 slower; a regression\n"))
    let json = changes.json(before: before, after: after)
    #expect(json["regression"] == .bool(true))
    #expect(json["newly_failing"]?.arrayValue?.first?["id"] == .string("a"))
    #expect(json["slower"]?.arrayValue?.first?["after_seconds"] == .double(5))
    #expect(json["added"] == .array([.string("b")]))
    let same = ReportDiff(from: before, to: before)
    #expect(same.text(before: before, after: before).hasSuffix("\nno changes\n"))
  }
}
