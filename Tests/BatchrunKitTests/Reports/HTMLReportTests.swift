@testable import BatchrunKit
import Foundation
import Testing

/// `batchrun report --format html` (HTMLReport) and its lane assignment (Timeline), on
/// synthetic reports: structure, escaping, lanes, log tails, and the size of a big run.
/// Serialized: the big runs take a core for a while; the timing-sensitive tests need one.
@Suite("HTML report", .serialized, .timeLimit(.minutes(1)))
struct HTMLReportTests {
  // MARK: - Synthetic reports

  /// A job of a synthetic report; times are milliseconds after the run's start.
  struct Job {
    var id: String
    var status = "succeeded"
    /// (status, start, end, exit code, signal) of each attempt.
    var attempts: [(status: String, start: Int64, end: Int64, exit: Int?, signal: String?)] = []
    var command = "true"
    var description: String?
    var reason: String?
    var allowFailure = false
    var log: String?

    /// A job with one attempt from `start` to `end` ending as `status` says.
    static func ran(_ id: String, _ status: String = "succeeded", _ start: Int64, _ end: Int64) -> Job {
      let exit: Int? = status == "succeeded" ? 0 : status == "failed" ? 1 : nil
      let signal = exit == nil ? "SIGTERM" : nil
      return Job(
        id: id, status: status, attempts: [(status, start, end, exit, signal)], log: "logs/\(id).log")
    }
  }

  static let epoch: Int64 = 1_795_000_000_000

  static func time(_ offset: Int64?) -> JSON {
    offset.map { .string(WallClock.Instant(millisecondsSinceEpoch: epoch + $0).rfc3339) } ?? .null
  }

  /// A report (docs/report.md) of `jobs` run at `concurrency` for `wall` milliseconds.
  static func report(
    _ jobs: [Job], concurrency: Int?, wall: Int64, name: String = "synthetic", criticalPath: [String] = []
  ) -> ReportDocument {
    reportJSON(jobs, concurrency: concurrency, wall: wall, name: name, criticalPath: criticalPath).document
  }

  /// The JSON of ``report(_:concurrency:wall:name:criticalPath:)``.
  static func reportJSON(
    _ jobs: [Job], concurrency: Int?, wall: Int64, name: String = "synthetic", criticalPath: [String] = []
  ) -> JSON {
    let statuses = ["succeeded", "failed", "timed_out", "cancelled", "skipped"]
    let jobValues = jobs.map { job -> JSON in
      let first = job.attempts.first?.start
      let last = job.attempts.last
      let attempts = job.attempts.enumerated().map { offset, attempt -> JSON in
        .object([
          ("attempt", .int(offset + 1)), ("status", .string(attempt.status)),
          ("exit_code", .int(attempt.exit)),
          ("signal", .string(attempt.signal)), ("started_at", time(attempt.start)),
          ("finished_at", time(attempt.end)),
          ("duration_seconds", .double(Double(attempt.end - attempt.start) / 1000)),
          ("log", .string(job.log)),
        ])
      }
      return .object([
        ("id", .string(job.id)), ("description", .string(job.description)), ("command", .string(job.command)),
        ("argv", .null), ("needs", .array([])), ("cwd", .string("/tmp")), ("status", .string(job.status)),
        ("allow_failure", .bool(job.allowFailure)), ("reason", .string(job.reason)),
        ("exit_code", .int(last?.exit)),
        ("signal", .string(last?.signal)), ("started_at", time(first)), ("finished_at", time(last?.end)),
        ("duration_seconds", .double(last.map { Double($0.end - first!) / 1000 })),
        ("log", job.attempts.isEmpty ? .null : .string(job.log)),
        ("output_bytes", .int(job.attempts.isEmpty ? nil : 0)),
        ("attempts", .array(attempts)),
      ])
    }
    let pathSeconds = jobs.filter { criticalPath.contains($0.id) }.map { job in
      Double((job.attempts.last?.end ?? 0) - (job.attempts.first?.start ?? 0)) / 1000
    }.reduce(0, +)
    return .object([
      ("schema_version", .int(1)),
      ("tool", .object([("name", .string("batchrun")), ("version", .string("0.1.0"))])),
      ("run_id", .string("20261127T000000Z-0000abcd")),
      (
        "manifest",
        .object([("path", .string("m.yaml")), ("name", .string(name)), ("sha256", .string("00"))])
      ),
      ("status", .string(jobs.allSatisfy { $0.status == "succeeded" } ? "succeeded" : "failed")),
      ("exit_code", .int(1)), ("started_at", time(0)), ("finished_at", time(wall)),
      ("duration_seconds", .double(Double(wall) / 1000)), ("concurrency", .int(concurrency)),
      ("host", .object([("hostname", .string("box")), ("os", .string("Linux")), ("cpus", .int(2))])),
      (
        "summary",
        .object(
          [("total", .int(jobs.count))]
            + statuses.map { status in (status, JSON.int(jobs.filter { $0.status == status }.count)) })
      ),
      (
        "critical_path",
        .object([("jobs", .array(criticalPath.map(JSON.string))), ("duration_seconds", .double(pathSeconds))])
      ),
      ("jobs", .array(jobValues)),
    ])
  }

  /// A deterministic generator, so that a failure can be replayed.
  struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
      state &+= 0x9E37_79B9_7F4A_7C15
      var z = state
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      return z ^ (z >> 31)
    }
  }

  /// Spans as a pool of `workers` runs them: each worker, once free, takes the next job
  /// at once or after a short pause; some jobs take no time. Shuffled, as manifest order
  /// need not be start order.
  static func poolSpans(count: Int, workers: Int, seed: UInt64) -> [Timeline.Span] {
    var random = SplitMix64(state: seed)
    var free = [Int64](repeating: 0, count: workers)
    var spans: [Timeline.Span] = []
    for _ in 0..<count {
      let worker = free.indices.min { free[$0] < free[$1] }!
      let start = free[worker] + (Bool.random(using: &random) ? 0 : Int64.random(in: 0...20, using: &random))
      let end = start + Int64.random(in: 0...100, using: &random)
      free[worker] = end
      spans.append(Timeline.Span(start: start, end: end))
    }
    return spans.shuffled(using: &random)
  }

  /// A run of `count` jobs on a pool of `workers`, every tenth one failed.
  static func poolReport(count: Int, workers: Int, seed: UInt64) -> ReportDocument {
    let spans = poolSpans(count: count, workers: workers, seed: seed)
    let jobs = spans.enumerated().map { index, span in
      Job.ran(
        String(format: "job-%04d", index), index % 10 == 3 ? "failed" : "succeeded", span.start, span.end)
    }
    return report(jobs, concurrency: workers, wall: spans.map(\.end).max() ?? 0)
  }

  static func count(_ needle: String, in text: String) -> Int {
    text.ranges(of: needle).count
  }

  /// The bars of each lane of the page: (job, left %, width %) in document order.
  static func lanes(in html: String) -> [[(job: Int, left: Double, width: Double)]] {
    html.components(separatedBy: "<div class=\"lane\" data-lane=\"").dropFirst().map { lane in
      let body = lane.components(separatedBy: "</div>")[0]
      return body.components(separatedBy: "<i class=\"b ").dropFirst().map { bar in
        func number(after key: String, upTo end: String) -> Double {
          Double(bar.components(separatedBy: key)[1].components(separatedBy: end)[0]) ?? .nan
        }
        return (
          Int(number(after: "data-j=\"", upTo: "\"")), number(after: "left:", upTo: "%"),
          number(after: "width:", upTo: "%")
        )
      }
    }
  }

  // MARK: - Lanes

  @Test(arguments: [(1, 1 as UInt64), (3, 2), (4, 3), (8, 4), (16, 5)])
  func lanesNeverOverlapNeverExceedTheConcurrencyAndTakeTheLowestFreeLane(workers: Int, seed: UInt64) {
    let spans = Self.poolSpans(count: 300, workers: workers, seed: seed)
    let lanes = Timeline.assignLanes(spans, limit: workers)
    #expect(lanes.allSatisfy { (0..<workers).contains($0) })
    for lane in Set(lanes) {
      let inLane = spans.indices.filter { lanes[$0] == lane }.map { spans[$0] }.sorted {
        ($0.start, $0.end) < ($1.start, $1.end)
      }
      for (earlier, later) in zip(inLane, inLane.dropFirst()) {
        #expect(earlier.end <= later.start, "lane \(lane): \(earlier) overlaps \(later)")
      }
    }
    // Greedy: every lower lane was busy when the span started (a span that came before it in
    // order of start, empty spans first, then list position, had not ended).
    for (index, span) in spans.enumerated() {
      for lower in 0..<lanes[index] {
        let busy = spans.indices.contains { other in
          lanes[other] == lower
            && (spans[other].start, spans[other].end > spans[other].start ? 1 : 0, other)
              < (span.start, span.end > span.start ? 1 : 0, index)
            && spans[other].end > span.start
        }
        #expect(busy, "span \(index) on lane \(lanes[index]) while lane \(lower) was free")
      }
    }
  }

  @Test func touchingAndEmptySpansShareALane() {
    let spans = [
      Timeline.Span(start: 0, end: 10), Timeline.Span(start: 10, end: 20), Timeline.Span(start: 20, end: 20),
      Timeline.Span(start: 20, end: 30), Timeline.Span(start: 5, end: 25),
    ]
    #expect(Timeline.assignLanes(spans, limit: 2) == [0, 0, 0, 0, 1])
  }

  @Test func aJobThatTookNoTimeFreesItsLaneForTheNextJobOfItsWorker() {
    // Worker 2 ran `quick` (which could not start: no time at all) and `next` in the same
    // millisecond; `next` comes first in the manifest.
    let spans = [
      Timeline.Span(start: 0, end: 30), Timeline.Span(start: 0, end: 10), Timeline.Span(start: 10, end: 20),
      Timeline.Span(start: 10, end: 10),
    ]
    #expect(Timeline.assignLanes(spans, limit: 2) == [0, 1, 1, 1])
  }

  @Test func inconsistentTimesStillUseAtMostTheConcurrency() {
    let spans = (0..<10).map { Timeline.Span(start: Int64($0), end: 100 + Int64($0)) }
    let lanes = Timeline.assignLanes(spans, limit: 3)
    #expect(lanes.prefix(3) == [0, 1, 2])
    #expect(lanes.allSatisfy { (0..<3).contains($0) })
  }

  @Test func timelineOfAReportDrawsEveryAttemptAndLeavesOutJobsThatNeverStarted() {
    let report = Self.report(
      [
        .ran("a", "succeeded", 0, 1000), .ran("b", "failed", 0, 400),
        Job(
          id: "c", status: "succeeded",
          attempts: [("failed", 400, 600, 1, nil), ("succeeded", 700, 1000, 0, nil)]),
        Job(id: "d", status: "skipped", reason: "need 'b' failed"), .ran("e", "timed_out", 1000, 1500),
      ], concurrency: 2, wall: 1500)
    let timeline = Timeline(report: report)
    #expect(timeline.lanes == [0, 1, 1, nil, 0])
    #expect(timeline.laneCount == 2)
    #expect(timeline.bars.map(\.job) == [0, 1, 2, 2, 4])
    #expect(
      timeline.bars.map(\.status.rawValue) == ["succeeded", "failed", "failed", "succeeded", "timed_out"])
    #expect(timeline.spans[2] == Timeline.Span(start: Self.epoch + 400, end: Self.epoch + 1000))
    #expect(timeline.end - timeline.origin == 1500)
  }

  @Test func aReportWithoutConcurrencyOrTimesStillRenders() {
    let report = Self.report(
      [Job(id: "x", status: "cancelled", reason: "not finished")], concurrency: nil, wall: 0)
    let timeline = Timeline(report: report)
    #expect(timeline.bars.isEmpty && timeline.laneCount == 0)
    let html = HTMLReport.render(report, runDirectory: nil)
    #expect(html.contains("No job started."))
    #expect(html.contains("<tr id=\"job-0\" class=\"st-cancelled\">"))
  }

  // MARK: - The page

  static let small = report(
    [
      .ran("a", "succeeded", 0, 1000), .ran("b", "failed", 0, 400),
      Job(
        id: "c", status: "succeeded",
        attempts: [("failed", 400, 600, 1, nil), ("succeeded", 700, 1000, 0, nil)],
        description: "Flaky"),
      Job(id: "d", status: "skipped", reason: "need 'b' failed"), .ran("e", "timed_out", 1000, 1500),
    ], concurrency: 2, wall: 1500, name: "small", criticalPath: ["a", "e"])

  @Test func pageIsOneSelfContainedDocument() {
    let html = HTMLReport.render(Self.small, runDirectory: nil)
    #expect(html.hasPrefix("<!DOCTYPE html>\n<html lang=\"en\">"))
    #expect(html.hasSuffix("</body>\n</html>\n"))
    #expect(Self.count("<html", in: html) == 1 && Self.count("<body", in: html) == 1)
    #expect(Self.count("<style>", in: html) == 1)
    #expect(Self.count("<script", in: html) == 1 && html.contains("<script>\n(function () {"))
    for external in ["http:", "https:", "src=", "<link", "url(", "@import", "@font-face", "<img", "<iframe"] {
      #expect(!html.contains(external), "'\(external)' in a self-contained page")
    }
    #expect(html.contains("default-src 'none'"), "a Content-Security-Policy forbids any load")
  }

  @Test func summaryShowsStatusCountsWallTimeConcurrencyAndTheCriticalPath() {
    let html = HTMLReport.render(Self.small, runDirectory: nil)
    #expect(html.contains("<title>small: failed - batchrun report</title>"))
    #expect(html.contains("<span class=\"badge st-failed\" id=\"run-status\">failed</span>"))
    #expect(html.contains("<dd id=\"job-count\">5</dd>"))
    #expect(html.contains("<dd id=\"wall-time\">1.5s</dd>"))
    #expect(html.contains("<dd id=\"concurrency\">2</dd>"))
    #expect(html.contains("<b>2</b> succeeded</li>"))
    #expect(html.contains("<li class=\"st-cancelled zero\"><i class=\"swatch\"></i><b>0</b> cancelled</li>"))
    #expect(html.contains("<b>1</b> timed out</li>"))
    #expect(
      html.contains(
        "critical path: <code>a</code> &#x2192; <code>e</code>: 1.5s, <b>100%</b> of the wall time"))
  }

  @Test func timelineDrawsEachAttemptOnItsLaneWithAnAxisAndListsSkippedJobsUndrawn() throws {
    let html = HTMLReport.render(Self.small, runDirectory: nil)
    #expect(html.contains("data-lanes=\"2\" data-bars=\"5\""))
    #expect(Self.count("<i class=\"b ", in: html) == 5)
    let lanes = Self.lanes(in: html)
    #expect(lanes.map { $0.map(\.job) } == [[0, 4], [1, 2, 2]])
    #expect(lanes[0].map(\.left) == [0, 66.667] && lanes[0].map(\.width) == [66.667, 33.333])
    #expect(html.contains("<i class=\"b st-timed_out cp\" style=\"left:66.667%;width:33.333%\" data-j=\"4\""))
    #expect(html.contains("title=\"c, attempt 1 of 2: failed, exit 1, 0.2s\""))
    #expect(html.contains("title=\"e: timed out, SIGTERM, 0.5s\""))
    #expect(Self.count("<i class=\"band\"", in: html) == 1, "one band behind the retried job's attempts")
    // 1.5 s: a tick every 200 ms.
    #expect(html.contains("<span class=\"tick\" style=\"left:0%\"><span>0</span></span>"))
    #expect(html.contains("<span>200ms</span>") && html.contains("<span>1s</span>"))
    #expect(html.contains("<span>1.4s</span>") && !html.contains("<span>1.6s</span>"))
    // Every job has a row; the skipped one has no bar.
    #expect(Self.count("<tr id=\"job-", in: html) == 5)
    #expect(html.contains("<tr id=\"job-3\" class=\"st-skipped\">"))
    #expect(html.contains("<td class=\"c-reason\">need &#39;b&#39; failed</td>"))
    #expect(!html.contains("data-j=\"3\""))
    #expect(html.contains("<td class=\"c-worker\">w2</td><td class=\"c-start\">+0.4s</td>"))
    #expect(html.contains("<span class=\"c-description\">Flaky</span>"))
  }

  @Test func everythingFromTheReportAndTheLogsIsEscaped() throws {
    let files = try TemporaryFiles()
    try FileManager.default.createDirectory(
      at: files.url.appendingPathComponent("logs"), withIntermediateDirectories: true)
    _ = try files.write(
      "logs/evil.log", "starting\n<script>alert(\"log\")</script>\nit's \"quoted\" & done\n")
    _ = try files.write("secret.txt", "do not embed\n")
    var evil = Job.ran("evil", "failed", 0, 100)
    evil.command = "echo \"</script><script>alert('cmd')</script>\" > 'out.txt'"
    evil.description = "<b>bold</b> & 'single'"
    evil.reason = "<i>why</i>"
    var sneaky = Job.ran("sneaky", "failed", 0, 100)
    sneaky.log = "../secret.txt"
    var odd = Job.ran("odd", "failed", 100, 200)
    odd.id = "id\"with'quotes<&>"
    let report = Self.report(
      [evil, sneaky, odd], concurrency: 2, wall: 200, name: "</title><script>alert('name')</script>")
    let html = HTMLReport.render(report, runDirectory: files.url.path)

    #expect(Self.count("<script", in: html) == 1, "only the page's own script")
    #expect(Self.count("</script", in: html) == 1)
    #expect(Self.count("</title", in: html) == 1)
    #expect(!html.contains("<img") && !html.contains("<b>bold") && !html.contains("<i>why"))
    #expect(
      html.contains("<pre id=\"log-0\">starting\n&lt;script&gt;alert(&quot;log&quot;)&lt;/script&gt;\n"))
    #expect(html.contains("it&#39;s &quot;quoted&quot; &amp; done</pre>"))
    #expect(
      html.contains(
        "<code>echo &quot;&lt;/script&gt;&lt;script&gt;alert(&#39;cmd&#39;)&lt;/script&gt;&quot; &gt; &#39;out.txt&#39;</code>"
      ))
    #expect(html.contains("&lt;b&gt;bold&lt;/b&gt; &amp; &#39;single&#39;"))
    #expect(html.contains("<title>&lt;/title&gt;&lt;script&gt;alert(&#39;name&#39;)&lt;/script&gt;: failed"))
    #expect(html.contains("<span class=\"id\">id&quot;with&#39;quotes&lt;&amp;&gt;</span>"))
    #expect(html.contains("title=\"id&quot;with&#39;quotes&lt;&amp;&gt;: failed, exit 1"))
    #expect(!html.contains("do not embed"), "a log path leaving the run directory is not read")
    #expect(!html.contains("id=\"log-1\""))
  }

  @Test func escapeCoversTextAndAttributesAndControlCharacters() {
    #expect(HTMLReport.escape("plain text") == "plain text")
    #expect(HTMLReport.escape("a<b>&\"c\"'d'") == "a&lt;b&gt;&amp;&quot;c&quot;&#39;d&#39;")
    #expect(
      HTMLReport.escape("tab\tnew\nline\u{0}bell\u{7}del\u{7F}")
        == "tab\tnew\nline\u{FFFD}bell\u{FFFD}del\u{FFFD}")
    #expect(HTMLReport.escape("café ✓") == "café ✓")
  }

  // MARK: - Log tails

  @Test func logTailKeepsTheLastLinesAsATerminalShowsThem() throws {
    let files = try TemporaryFiles()
    let long = try files.write("long.log", (1...100).map { "line \($0)" }.joined(separator: "\n") + "\n")
    let tail = try #require(HTMLReport.logTail(long))
    #expect(tail.cut)
    #expect(tail.text == (71...100).map { "line \($0)" }.joined(separator: "\n"))

    let short = try files.write("short.log", "one\ntwo")
    #expect(HTMLReport.logTail(short)?.text == "one\ntwo")
    #expect(HTMLReport.logTail(short)?.cut == false)

    let terminal = try files.write(
      "terminal.log",
      "progress 10%\rprogress 100%\n\u{1B}[1;31mred\u{1B}[0m text\nwindows\r\nbell\u{7}\n"
        + "\u{1B}]0;a title\u{7}titled\n")
    #expect(HTMLReport.logTail(terminal)?.text == "progress 100%\nred text\nwindows\nbell\ntitled")

    // Only the end of a big file is read; its first, partial line is dropped.
    let big = try files.write(
      "big.log", (1...5000).map { "line \($0): " + String(repeating: "x", count: 90) }.joined(separator: "\n")
    )
    let bigTail = try #require(HTMLReport.logTail(big))
    #expect(bigTail.cut)
    #expect(bigTail.text.split(separator: "\n").count == HTMLReport.tailLines)
    #expect(bigTail.text.hasPrefix("line 4971: x"))

    #expect(HTMLReport.logTail(try files.write("empty.log", "")) == nil)
    #expect(HTMLReport.logTail(files.url.appendingPathComponent("missing.log").path) == nil)
    #expect(HTMLReport.logTail(files.url.path) == nil, "a directory")
  }

  // MARK: - Big runs

  /// Runs `work` on a thread of its own: a long computation on one of Swift concurrency's
  /// few cooperative threads would stall the timing-sensitive tests running beside it.
  static func onOwnThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
      Thread { continuation.resume(with: Result { try work() }) }.start()
    }
  }

  @Test func lanesOfABigRunInThePageNeverOverlap() async throws {
    let lanes = try await Self.onOwnThread {
      Self.lanes(in: HTMLReport.render(Self.poolReport(count: 1000, workers: 8, seed: 42), runDirectory: nil))
    }
    #expect(lanes.count <= 8)
    #expect(lanes.map(\.count).reduce(0, +) == 1000)
    for (number, bars) in lanes.enumerated() {
      let sorted = bars.sorted { ($0.left, $0.width) < ($1.left, $1.width) }
      for (earlier, later) in zip(sorted, sorted.dropFirst()) {
        // Positions are rounded to 0.001%: allow that much.
        #expect(earlier.left + earlier.width <= later.left + 0.002, "lane \(number): \(earlier) and \(later)")
      }
    }
  }

  @Test func fiveThousandJobsMakeAPageOfReasonableSize() async throws {
    let files = try TemporaryFiles()
    let directory = files.url
    let html = try await Self.onOwnThread {
      let logs = directory.appendingPathComponent("logs")
      try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
      // The logs of the 500 failed jobs (every tenth from job 3) and of some that succeeded:
      // 40 lines of 80 bytes each, so that the failed jobs' tails would be 1.2 MB in all.
      let filler = String(repeating: "-", count: 60)
      for index in 0..<5000 where index % 10 == 3 || index % 100 == 0 {
        let text = (1...40).map { "job \(index) line \($0) \(filler)" }.joined(separator: "\n")
        try Data(text.utf8).write(to: logs.appendingPathComponent(String(format: "job-%04d.log", index)))
      }
      return HTMLReport.render(
        Self.poolReport(count: 5000, workers: 16, seed: 7), runDirectory: directory.path)
    }
    #expect(Self.count("<i class=\"b ", in: html) == 5000)
    #expect(Self.count("<tr id=\"job-", in: html) == 5000)
    #expect(html.utf8.count < 6_000_000, "\(html.utf8.count) bytes")
    // Only failed jobs' tails, within the budget; the page says what it left out.
    let tails = Self.count("<pre id=\"log-", in: html)
    #expect(tails > 0 && tails < 500)
    #expect(!html.contains("<pre id=\"log-0\">"), "job 0 succeeded")
    #expect(html.contains("<pre id=\"log-3\">"))
    #expect(html.contains("5000 jobs: log tails are shown for jobs that did not succeed."))
    #expect(html.contains("The log tails of \(500 - tails) jobs are left out to keep this page small."))
  }
}
