import Foundation
import Testing

/// `batchrun report --format html` on a real run, and the page in a real headless browser
/// (Debian's `chromium`; `scripts/test` installs it).
/// Serialized, so that Chromium and batchrun do not crowd the timing-sensitive tests.
@Suite("HTML report end to end", .serialized, .timeLimit(.minutes(3)))
struct HTMLReportEndToEndTests {
  static let chromium = URL(fileURLWithPath: "/usr/bin/chromium")
  static var hasChromium: Bool { FileManager.default.isExecutableFile(atPath: chromium.path) }

  /// Parallel jobs of different lengths, a failure whose log holds markup, a retry, and a
  /// job skipped after the failure. At `-j 3 -k`: five attempts on three workers.
  static let manifest = #"""
    name: html-e2e
    jobs:
      slow:
        run: sleep 0.6; echo slow done
      medium:
        run: sleep 0.4; echo medium done
      broken:
        description: Fails with markup in its log
        run: |
          sleep 0.2
          echo "<script>alert(1)</script> it's \"broken\""
          exit 3
      flaky:
        run: sleep 0.1; echo attempt $BATCHRUN_ATTEMPT; test $BATCHRUN_ATTEMPT -ge 2
        retries: 1
        retry-delay: 100ms
      after:
        run: 'true'
        needs: broken

    """#

  let directory: TemporaryDirectory

  init() throws {
    directory = try TemporaryDirectory(prefix: "batchrun-html")
  }

  /// Runs the manifest, then writes `batchrun report RUN-DIR --format html` to report.html.
  func runAndRender(_ source: (URL) -> String = { $0.path }) async throws -> (html: String, file: URL) {
    try directory.write("m.yaml", Self.manifest)
    let run = try await BatchrunProcess.batchrun(["-j", "3", "-k", "m.yaml"], in: directory.url)
    #expect(run.exitCode == 1, "\(run)")
    let files = try await RunFiles(latestIn: directory.url.appendingPathComponent(".batchrun"))
    #expect(try files.attempts("flaky").count == 2)
    let report = try await BatchrunProcess.batchrun(
      ["report", source(files.directory), "--format", "html"], in: directory.url)
    #expect(report.exitCode == 0, "\(report)")
    #expect(report.stderr.isEmpty)
    let file = URL(fileURLWithPath: try directory.write("report.html", report.stdout))
    return (report.stdout, file)
  }

  /// Runs headless Chromium with its own profile in the test's directory.
  func chromium(_ arguments: [String]) async throws -> BatchrunProcess.Result {
    let profile = directory.url.appendingPathComponent("chromium-\(UUID().uuidString)")
    let result = try await BatchrunProcess.run(
      Self.chromium,
      [
        "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--user-data-dir=\(profile.path)",
      ] + arguments, in: directory.url, timeout: .seconds(90))
    #expect(result.exitCode == 0 && !result.timedOut, "\(result)")
    return result
  }

  @Test func reportOfARunDirectoryOrItsReportFileEmbedsTheLogs() async throws {
    let (html, _) = try await runAndRender { $0.appendingPathComponent("report.json").path }
    #expect(html.hasPrefix("<!DOCTYPE html>"))
    #expect(html.contains("data-lanes=\"3\" data-bars=\"5\""))
    #expect(html.contains("<dd id=\"job-count\">5</dd>"))
    #expect(html.contains("<tr id=\"job-4\" class=\"st-skipped\">"))
    #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; it&#39;s &quot;broken&quot;</pre>"))
    #expect(html.contains("<pre id=\"log-3\">attempt 2</pre>"), "the last attempt's log")
    #expect(!html.contains("<script>alert"))

    // A copy of the report elsewhere has no logs beside it: files there are not taken for them.
    try FileManager.default.copyItem(
      at: directory.url.appendingPathComponent(".batchrun/latest/report.json"),
      to: directory.url.appendingPathComponent("copy.json"))
    try directory.write("logs/broken.log", "not the job's log\n")
    let copy = try await BatchrunProcess.batchrun(
      ["report", "copy.json", "--format", "html"], in: directory.url)
    #expect(copy.exitCode == 0, "\(copy)")
    #expect(copy.stdout.contains("data-lanes=\"3\" data-bars=\"5\""))
    #expect(!copy.stdout.contains("<pre id=\"log-") && !copy.stdout.contains("not the job"))
  }

  @Test(.enabled(if: hasChromium, "needs /usr/bin/chromium (scripts/test installs it)"))
  func pageRendersInAHeadlessBrowser() async throws {
    let (_, file) = try await runAndRender()
    // One browser (they are heavy): the DOM after the page's script ran, and a screenshot.
    // #pin=JOB opens the page with that job's details and log tail shown.
    let png = directory.url.appendingPathComponent("report.png")
    let dom = try await chromium([
      "--dump-dom", "--screenshot=\(png.path)", "--window-size=1280,800", file.absoluteString + "#pin=broken",
    ]).stdout

    // The script counted the bars the browser laid out.
    #expect(dom.contains("data-rendered=\"5\""), "\(dom.prefix(2000))")
    #expect(dom.contains("<span id=\"timeline-status\">5 bars drawn on 3 worker lanes</span>"))
    #expect(dom.contains("&lt;script&gt;alert(1)&lt;/script&gt;") && !dom.contains("<script>alert"))

    let details = try #require(
      dom.components(separatedBy: "<aside id=\"details\"").dropFirst().first?.components(
        separatedBy: "</aside>"
      ).first)
    #expect(!details.hasPrefix(" hidden"), "the details are shown: \(details)")
    #expect(details.contains("<h3>broken</h3>"))
    #expect(details.contains("<dt>exit</dt><dd class=\"c-exit\">exit 3</dd>"))
    #expect(
      details.contains("<dt>description</dt><dd class=\"c-description\">Fails with markup in its log</dd>"))
    #expect(details.contains("&lt;script&gt;alert(1)&lt;/script&gt; it's \"broken\"</pre>"))
    #expect(
      dom.range(
        of: #"class="b st-failed( cp)? pinned" style="[^"]*" data-j="2""#, options: .regularExpression)
        != nil, "the bar of `broken` is pinned")

    // The screenshot: a PNG of the window's size with something on it.
    let bytes = try [UInt8](Data(contentsOf: png))
    #expect(bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]), "a PNG")
    try #require(bytes.count > 24)
    #expect(Self.bigEndian(bytes[16..<20]) == 1280 && Self.bigEndian(bytes[20..<24]) == 800, "IHDR: the size")
    #expect(bytes.count > 15_000, "\(bytes.count) bytes: a blank page compresses to less")
  }

  static func bigEndian(_ bytes: ArraySlice<UInt8>) -> Int {
    bytes.reduce(0) { $0 << 8 | Int($1) }
  }
}
