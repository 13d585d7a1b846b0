@testable import BatchrunKit
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
