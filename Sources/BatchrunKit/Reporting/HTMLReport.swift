import Glibc

/// `batchrun report --format html`: one self-contained page (inline CSS and a small
/// inline script; no network, fonts or images) with the run's summary, a timeline of
/// every attempt on its worker lane, and a table of the jobs with the tails of their logs.
///
/// Works from the report alone, so any saved report renders; logs are read only from
/// the `runDirectory` given (``ReportLoader/runDirectory(of:at:)`` finds it), never along a
/// path leading out of it. The timeline is absolutely positioned elements in one box per
/// lane, so runs of thousands of jobs stay light (5,000 jobs: about 2.6 MB); log tails
/// are capped (see ``tailBudget`` and ``allTailsUpTo``).
public enum HTMLReport {
  /// Lines of a job's log embedded at most.
  public static let tailLines = 30
  /// Bytes read from the end of each log at most.
  static let tailBytes = 4096
  /// Bytes of log text embedded in all at most; past it, tails are left out (and said so).
  public static let tailBudget = 1 << 20
  /// In runs of more jobs than this, only jobs that did not succeed get their log tail.
  public static let allTailsUpTo = 200

  /// The page for `report`; `runDirectory`, when given, is where the jobs' logs are read
  /// from (their `log` paths are relative to it).
  public static func render(_ report: ReportDocument, runDirectory: String?) -> String {
    let page = Page(report: report, runDirectory: runDirectory)
    var out = ""
    out.reserveCapacity(4096 + page.jobs.count * 600)
    page.head(&out)
    page.summary(&out)
    page.timeline(&out)
    page.table(&out)
    out +=
      "<aside id=\"details\" hidden><button type=\"button\" id=\"details-close\" title=\"close\">&#xd7;</button>"
    out += "<h3></h3><dl></dl><ul class=\"attempts\"></ul><pre class=\"tail\"></pre></aside>\n"
    out += "<script>\n" + script + "</script>\n</body>\n</html>\n"
    return out
  }

  /// `text` safe as HTML text and as a quoted attribute value. Control characters but tab
  /// and newline become U+FFFD.
  public static func escape(_ text: String) -> String {
    let special = text.utf8.contains {
      $0 == UInt8(ascii: "&") || $0 == UInt8(ascii: "<") || $0 == UInt8(ascii: ">")
        || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "'")
        || ($0 < 0x20 && $0 != UInt8(ascii: "\n") && $0 != UInt8(ascii: "\t")) || $0 == 0x7F
    }
    if !special { return text }
    var out = ""
    out.reserveCapacity(text.utf8.count + 16)
    for scalar in text.unicodeScalars {
      switch scalar {
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "\"": out += "&quot;"
      case "'": out += "&#39;"
      case "\n", "\t": out.unicodeScalars.append(scalar)
      case _ where scalar.value < 0x20 || scalar.value == 0x7F: out += "\u{FFFD}"
      default: out.unicodeScalars.append(scalar)
      }
    }
    return out
  }

  /// The last ``tailLines`` lines of the log at `path` (read from its last ``tailBytes``),
  /// as plain text: carriage-return overwrites resolved, terminal escape sequences and
  /// other control characters removed. `nil` if the file cannot be read or is empty.
  public static func logTail(_ path: String) -> (text: String, cut: Bool)? {
    guard let (lines, cut) = LogText.tailLines(ofFile: path, maxBytes: tailBytes, lines: tailLines),
      !lines.isEmpty
    else { return nil }
    return (clean(lines.joined(separator: "\n")), cut)
  }

  /// Log text as a terminal would leave it: escape sequences removed (as in JUnit XML),
  /// carriage-return overwrites resolved, other control characters but tab dropped.
  static func clean(_ text: String) -> String {
    var out = ""
    var line = ""
    var carriageReturn = false  // a "\r" not (yet) followed by "\n": what follows overwrites the line
    for scalar in LogText.removingEscapeSequences(text).unicodeScalars {
      switch scalar {
      case "\n":
        out += line
        out += "\n"
        line = ""
        carriageReturn = false
      case "\r": carriageReturn = true
      case _ where scalar.value < 0x20 && scalar != "\t" || scalar.value == 0x7F: break
      default:
        if carriageReturn {
          line = ""
          carriageReturn = false
        }
        line.unicodeScalars.append(scalar)
      }
    }
    return out + line
  }
}

/// What one rendering reads from the report, and the page's parts.
private struct Page {
  let report: ReportDocument
  let jobs: [ReportDocument.Job]
  let timeline: Timeline
  let wall: Double
  let criticalPath: [String]
  let onCriticalPath: Set<Int>
  /// Log tails by job index.
  var tails: [Int: (text: String, cut: Bool)] = [:]
  /// Jobs whose tails were left out for the size budget.
  var tailsLeftOut = 0
  let problemsOnly: Bool
  let hasRunDirectory: Bool

  init(report: ReportDocument, runDirectory: String?) {
    self.report = report
    let jobs = report.jobs
    self.jobs = jobs
    timeline = Timeline(report: report)
    wall = report.durationSeconds ?? Double(timeline.end - timeline.origin) / 1000
    criticalPath = report.criticalPath?.jobs ?? []
    let pathIDs = Set(criticalPath)
    onCriticalPath = Set(jobs.indices.filter { pathIDs.contains(jobs[$0].id) })
    problemsOnly = jobs.count > HTMLReport.allTailsUpTo
    hasRunDirectory = runDirectory != nil
    if let runDirectory { readTails(runDirectory) }
  }

  static let problemStatuses: Set<JobResult.Status> = [.failed, .timedOut, .cancelled]

  private func status(_ index: Int) -> JobResult.Status { jobs[index].status }

  /// Reads log tails: jobs that did not succeed first, then (in small runs) the others,
  /// until ``HTMLReport/tailBudget`` bytes are used.
  private mutating func readTails(_ directory: String) {
    let problems = jobs.indices.filter { Self.problemStatuses.contains(status($0)) }
    let others = problemsOnly ? [] : jobs.indices.filter { !Self.problemStatuses.contains(status($0)) }
    var budget = HTMLReport.tailBudget
    for index in problems + others {
      guard let log = jobs[index].log, LogText.staysInsideRunDirectory(log),
        let tail = HTMLReport.logTail(directory + "/" + log)
      else { continue }
      let size = tail.text.utf8.count
      if size > budget {
        tailsLeftOut += 1
        continue
      }
      budget -= size
      tails[index] = tail
    }
  }

  // MARK: - Parts

  func head(_ out: inout String) {
    let name = report.manifest.name ?? "run"
    let status = report.status?.rawValue ?? "unknown"
    out += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
    out +=
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
      + "style-src 'unsafe-inline'; script-src 'unsafe-inline'\">\n"
    out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
    out += "<meta name=\"generator\" content=\"batchrun\">\n"
    out += "<title>\(e(name)): \(e(status)) - batchrun report</title>\n"
    out += "<style>\n" + HTMLReport.css + "</style>\n</head>\n<body>\n"
  }

  func summary(_ out: inout String) {
    let name = report.manifest.name ?? "run"
    let status = report.status?.rawValue ?? "unknown"
    out +=
      "<header>\n<h1><span class=\"name\">\(e(name))</span> <span class=\"badge \(Self.statusClass(status))\""
    out += " id=\"run-status\">\(e(status))</span></h1>\n<p class=\"meta\">run <code>"
    out += e(report.runID ?? "?") + "</code>"
    if let path = report.manifest.path {
      out += " &#xb7; manifest <code>\(e(path))</code>"
    }
    if let version = report.tool.version { out += " &#xb7; batchrun \(e(version))" }
    if let host = report.host.hostname {
      out += " &#xb7; host \(e(host))"
      if let os = report.host.os { out += " (\(e(os))" }
      if let cpus = report.host.cpus { out += ", \(cpus) CPUs" }
      if report.host.os != nil { out += ")" }
    }
    out += "</p>\n<dl class=\"facts\">\n"
    func fact(_ name: String, _ value: String, id: String? = nil, time: Bool = false) {
      out += "<div><dt>\(name)</dt><dd\(id.map { " id=\"\($0)\"" } ?? "")\(time ? " class=\"time\"" : "")>"
      out += "\(value)</dd></div>\n"
    }
    fact("jobs", String(jobs.count), id: "job-count")
    fact("wall time", e(Self.seconds(wall)), id: "wall-time")
    fact("concurrency", report.concurrency.map(String.init) ?? "?", id: "concurrency")
    fact("exit code", report.exitCode.map(String.init) ?? "-")
    fact("started", e(report.startedAt ?? "?"), time: true)
    fact("finished", e(report.finishedAt ?? "?"), time: true)
    out += "</dl>\n<ul class=\"counts\" id=\"counts\">\n"
    for status in JobResult.Status.allCases {
      let count = report.count(status)
      out += "<li class=\"\(Self.statusClass(status.rawValue))\(count == 0 ? " zero" : "")\">"
      out += "<i class=\"swatch\"></i><b>\(count)</b> \(Self.words(status))</li>\n"
    }
    out += "</ul>\n"
    if !criticalPath.isEmpty {
      let pathSeconds = report.criticalPath?.seconds ?? 0
      let share = CriticalPath.share(pathSeconds, ofWall: wall)
      out += "<p class=\"critical\" id=\"critical-path\">critical path: "
      out += criticalPath.map { "<code>\(e($0))</code>" }.joined(separator: " &#x2192; ")
      out += ": \(e(Self.seconds(pathSeconds))), <b>\(share)%</b> of the wall time</p>\n"
    }
    if status == "incomplete" {
      out += "<p class=\"note\">This report was rebuilt from the journal of a run that never finished.</p>\n"
    }
    out += "</header>\n"
  }

  func timeline(_ out: inout String) {
    let lanes = timeline.laneCount
    let span = Double(max(timeline.end - timeline.origin, 1))
    func position(_ time: Int64) -> Double { Double(time - timeline.origin) / span * 100 }
    out += "<section id=\"timeline-section\">\n<h2>Timeline</h2>\n<div class=\"toolbar\">"
    out += "<button type=\"button\" data-zoom=\"0.5\" title=\"zoom out\">&#x2212;</button>"
    out += "<button type=\"button\" data-zoom=\"2\" title=\"zoom in\">+</button>"
    out += "<button type=\"button\" data-zoom=\"0\" title=\"fit the width\">fit</button> "
    out += "<span id=\"timeline-status\">\(timeline.bars.count) attempt\(timeline.bars.count == 1 ? "" : "s")"
    out += " on \(lanes) worker lane\(lanes == 1 ? "" : "s")</span>"
    out += "<span class=\"hint\">hover a bar for details, click to pin it</span></div>\n"
    if timeline.bars.isEmpty {
      out += "<p class=\"note\">No job started.</p>\n</section>\n"
      return
    }
    out +=
      "<div class=\"timeline\" id=\"timeline\" data-lanes=\"\(lanes)\" data-bars=\"\(timeline.bars.count)\">\n"
    out += "<div class=\"gutter\"><div class=\"axis-space\"></div>"
    for lane in 0..<lanes { out += "<div class=\"lane-label\">w\(lane + 1)</div>" }
    out += "</div>\n<div class=\"scroll\"><div class=\"canvas\" id=\"canvas\">\n<div class=\"axis\"></div>\n"
    let step = Self.tickStep(Int64(span))
    var tick: Int64 = 0
    while tick <= Int64(span) {
      out += "<span class=\"tick\" style=\"left:\(Self.percent(position(timeline.origin + tick)))\">"
      out += "<span>\(Self.tickLabel(tick))</span></span>"
      tick += step
    }
    out += "\n"
    var byLane = [[Int]](repeating: [], count: lanes)
    for (index, bar) in timeline.bars.enumerated() {
      if let lane = timeline.lanes[bar.job] { byLane[lane].append(index) }
    }
    var spanned = Set<Int>()
    for lane in 0..<lanes {
      out += "<div class=\"lane\" data-lane=\"\(lane)\">"
      for index in byLane[lane] {
        let bar = timeline.bars[index]
        let job = jobs[bar.job]
        let attempts = job.attempts
        // A retried job: a faint band behind its attempts covers the retry delays.
        if attempts.count > 1, let jobSpan = timeline.spans[bar.job], spanned.insert(bar.job).inserted {
          out += "<i class=\"band\" style=\"left:\(Self.percent(position(jobSpan.start)));"
          out += "width:\(Self.percent(position(jobSpan.end) - position(jobSpan.start)))\"></i>"
        }
        let attempt = attempts.first { $0.attempt == bar.attempt }
        var classes = "b " + Self.statusClass(bar.status.rawValue)
        if onCriticalPath.contains(bar.job) { classes += " cp" }
        if job.allowFailure { classes += " af" }
        var title = job.id
        if attempts.count > 1 { title += ", attempt \(bar.attempt) of \(attempts.count)" }
        title += ": " + Self.words(bar.status)
        title += (attempt.map(\.ending) ?? job.ending).map { ", " + $0 } ?? ""
        title += ", " + Self.seconds(Double(bar.span.end - bar.span.start) / 1000)
        out += "<i class=\"\(classes)\" style=\"left:\(Self.percent(position(bar.span.start)));"
        out += "width:\(Self.percent(position(bar.span.end) - position(bar.span.start)))\""
        out += " data-j=\"\(bar.job)\" title=\"\(e(title))\"></i>"
      }
      out += "</div>\n"
    }
    out += "</div></div>\n</div>\n<ul class=\"legend\">"
    for status in [JobResult.Status.succeeded, .failed, .timedOut, .cancelled] {
      out += "<li class=\"\(Self.statusClass(status.rawValue))\"><i class=\"swatch\"></i>"
      out += Self.words(status) + "</li>"
    }
    out += "<li class=\"st-failed af\"><i class=\"swatch\"></i>failed, allowed</li>"
    out += "<li class=\"cp-key\"><i class=\"swatch\"></i>on the critical path</li></ul>\n</section>\n"
  }

  func table(_ out: inout String) {
    let openTails = jobs.lazy.filter(\.status.isFailure).count <= 20
    out += "<section id=\"jobs-section\">\n<h2>Jobs</h2>\n"
    if problemsOnly, hasRunDirectory {
      out += "<p class=\"note\">\(jobs.count) jobs: log tails are shown for jobs that did not succeed.</p>\n"
    }
    if tailsLeftOut > 0 {
      out +=
        "<p class=\"note\">The log tails of \(tailsLeftOut) jobs are left out to keep this page small.</p>\n"
    }
    out += "<table id=\"jobs\">\n<thead><tr><th>job</th><th>status</th><th>exit</th><th>duration</th>"
    out +=
      "<th>attempts</th><th>worker</th><th>start</th><th>reason</th><th>command</th></tr></thead>\n<tbody>\n"
    for (index, job) in jobs.enumerated() {
      let status = job.status
      var statusText = Self.words(status)
      if job.allowFailure, status != .succeeded, status != .skipped {
        statusText += " (allowed)"
      }
      let start = timeline.spans[index].map { "+" + Self.seconds(Double($0.start - timeline.origin) / 1000) }
      out +=
        "<tr id=\"job-\(index)\" class=\"\(Self.statusClass(status.rawValue))\(onCriticalPath.contains(index) ? " cp" : "")\">"
      out += "<td class=\"c-id\"><span class=\"id\">\(e(job.id))</span>"
      if let description = job.description {
        out += "<span class=\"c-description\">\(e(description))</span>"
      }
      out +=
        "</td><td class=\"c-status\"><span class=\"badge \(Self.statusClass(status.rawValue))\">\(e(statusText))</span></td>"
      out += "<td class=\"c-exit\">\(e(job.ending ?? "-"))</td>"
      out += "<td class=\"c-duration\">\(e(job.durationSeconds.map(Self.seconds) ?? "-"))</td>"
      out += "<td class=\"c-attempts\">\(job.attempts.count)</td>"
      out += "<td class=\"c-worker\">\(timeline.lanes[index].map { "w\($0 + 1)" } ?? "-")</td>"
      out += "<td class=\"c-start\">\(e(start ?? "-"))</td>"
      out += "<td class=\"c-reason\">\(e(job.reason ?? ""))</td>"
      out += "<td class=\"c-command\"><code>\(e(job.commandLine))</code></td></tr>\n"
      if let tail = tails[index] {
        let count = tail.text.split(separator: "\n", omittingEmptySubsequences: false).count
        let what = tail.cut ? "last \(count) lines" : "\(count) line\(count == 1 ? "" : "s")"
        let open = openTails && status.isFailure
        out +=
          "<tr class=\"log-row\"><td colspan=\"9\"><details\(open ? " open" : "")><summary>log: \(what) of "
        out += "<code>\(e(job.log ?? ""))</code></summary>"
        out += "<pre id=\"log-\(index)\">\(e(tail.text))</pre></details></td></tr>\n"
      }
    }
    out += "</tbody>\n</table>\n</section>\n"
  }

  // MARK: - Text

  private func e(_ text: String) -> String { HTMLReport.escape(text) }

  /// `timed out` for `timed_out`.
  static func words(_ status: JobResult.Status) -> String {
    status.rawValue.replacing("_", with: " ")
  }

  static func statusClass(_ status: String) -> String {
    switch status {
    case "succeeded", "failed", "timed_out", "cancelled", "skipped", "incomplete": "st-" + status
    default: "st-unknown"
    }
  }

  static func seconds(_ value: Double) -> String { ConsoleReporter.format(value) }

  /// `12.345%`, with trailing zeros dropped.
  static func percent(_ value: Double) -> String {
    let thousandths = Int((min(max(value, 0), 100) * 1000).rounded())
    var fraction = String(thousandths % 1000)
    fraction = String(repeating: "0", count: 3 - fraction.count) + fraction
    while fraction.hasSuffix("0") { fraction.removeLast() }
    return String(thousandths / 1000) + (fraction.isEmpty ? "" : "." + fraction) + "%"
  }

  /// A round step between ticks giving at most about ten of them over `span` milliseconds.
  static func tickStep(_ span: Int64) -> Int64 {
    let steps: [Int64] = [
      1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000,
      600_000, 900_000, 1_800_000, 3_600_000, 7_200_000, 10_800_000, 21_600_000, 43_200_000, 86_400_000,
    ]
    if let step = steps.first(where: { span / $0 <= 10 }) { return step }
    return (span / 10 / 86_400_000 + 1) * 86_400_000
  }

  /// `0`, `250ms`, `1.5s`, `30s`, `2m`, `1m30s`, `1h`, `2h15m`.
  static func tickLabel(_ milliseconds: Int64) -> String {
    let (hours, minutes, seconds) = (
      milliseconds / 3_600_000, milliseconds / 60_000 % 60, milliseconds / 1000 % 60
    )
    if milliseconds == 0 { return "0" }
    if milliseconds >= 3_600_000 { return minutes == 0 ? "\(hours)h" : "\(hours)h\(minutes)m" }
    if milliseconds >= 60_000 { return seconds == 0 ? "\(milliseconds / 60_000)m" : "\(minutes)m\(seconds)s" }
    if milliseconds < 1000 { return "\(milliseconds)ms" }
    var fraction = String(milliseconds % 1000)
    fraction = String(repeating: "0", count: 3 - fraction.count) + fraction
    while fraction.hasSuffix("0") { fraction.removeLast() }
    return "\(milliseconds / 1000)" + (fraction.isEmpty ? "" : "." + fraction) + "s"
  }
}

extension HTMLReport {
  /// The page's style sheet.
  static let css = """
    :root{--ok:#2f9e5f;--fail:#d64541;--timeout:#e8912d;--cancel:#8e8e93;--skip:#c8c8cc;--unknown:#6b7fd7;
    --fg:#1d1d1f;--muted:#6e6e73;--bg:#fff;--panel:#f5f5f7;--line:#e3e3e8;--lane:26px}
    @media (prefers-color-scheme:dark){:root{--fg:#f2f2f7;--muted:#a1a1a6;--bg:#1c1c1e;--panel:#2c2c2e;
    --line:#3a3a3c;--skip:#5a5a5e}}
    *{box-sizing:border-box}
    body{margin:0;padding:20px 24px 48px;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;
    color:var(--fg);background:var(--bg)}
    code,pre{font-family:ui-monospace,"SF Mono",Menlo,Consolas,"DejaVu Sans Mono",monospace;font-size:12px}
    h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:26px 0 8px}
    .meta,.note,.hint{color:var(--muted)}.meta{margin:0 0 14px}
    .badge{display:inline-block;white-space:nowrap;padding:1px 8px;border-radius:10px;color:#fff;font-size:12px;font-weight:600;
    vertical-align:middle;background:var(--c)}
    .st-succeeded{--c:var(--ok)}.st-failed{--c:var(--fail)}.st-timed_out{--c:var(--timeout)}
    .st-cancelled{--c:var(--cancel)}.st-skipped{--c:var(--skip)}.st-incomplete,.st-unknown{--c:var(--unknown)}
    .facts{display:flex;flex-wrap:wrap;gap:8px 32px;margin:0 0 12px}.facts dt{color:var(--muted);font-size:12px}
    .facts dd{margin:0;font-size:18px;font-weight:600}.facts .time{font-size:14px;font-weight:400;line-height:27px}
    .counts,.legend{display:flex;flex-wrap:wrap;gap:6px 18px;list-style:none;padding:0;margin:0 0 8px}
    .counts .zero{color:var(--muted)}.legend{margin-top:8px;font-size:12px}
    .swatch{display:inline-block;width:12px;height:12px;border-radius:3px;background:var(--c);margin-right:6px;
    vertical-align:-1px}
    .af .swatch,.b.af{background-image:repeating-linear-gradient(135deg,transparent 0 3px,
    rgba(255,255,255,.5) 3px 6px)}
    .cp-key .swatch{background:transparent;box-shadow:inset 0 0 0 2px var(--fg)}
    .critical code{background:var(--panel);padding:0 4px;border-radius:3px}
    .toolbar{display:flex;gap:6px;align-items:center;margin-bottom:6px}
    .toolbar button{font:inherit;min-width:30px;padding:1px 8px;border:1px solid var(--line);border-radius:4px;
    background:var(--panel);color:var(--fg);cursor:pointer}
    .hint{margin-left:auto;font-size:12px}
    .timeline{display:flex;border:1px solid var(--line);border-radius:6px;overflow:hidden}
    .gutter{flex:none;width:40px;border-right:1px solid var(--line);background:var(--panel)}
    .axis-space,.axis{height:22px;border-bottom:1px solid var(--line)}
    .lane-label{height:var(--lane);line-height:var(--lane);font-size:11px;color:var(--muted);text-align:center}
    .scroll{flex:1;min-width:0;overflow-x:auto;overflow-y:hidden}
    .canvas{position:relative;width:100%;min-width:100%;overflow:hidden}
    .tick{position:absolute;top:0;bottom:0;border-left:1px solid var(--line);pointer-events:none}
    .tick span{position:absolute;top:3px;left:3px;font-size:11px;color:var(--muted);white-space:nowrap}
    .lane{position:relative;height:var(--lane)}
    .b{position:absolute;top:4px;bottom:4px;min-width:3px;border-radius:3px;background-color:var(--c);
    border-right:1px solid var(--bg);cursor:pointer}
    .b.cp{box-shadow:inset 0 0 0 2px rgba(0,0,0,.45)}
    .b:hover,.b.pinned{outline:2px solid var(--fg);outline-offset:1px;z-index:2}
    .band{position:absolute;top:11px;height:4px;border-radius:2px;background:var(--line)}
    table{border-collapse:collapse;width:100%}
    th,td{text-align:left;padding:4px 8px;border-bottom:1px solid var(--line);vertical-align:top}
    th{font-size:12px;color:var(--muted);font-weight:600;position:sticky;top:0;background:var(--bg)}
    .c-id .id{font-weight:600;cursor:pointer}.c-description{display:block;color:var(--muted);font-size:12px}
    tr.cp .c-id .id{text-decoration:underline 2px var(--muted)}
    .c-command code{white-space:pre-wrap;overflow-wrap:anywhere}
    td.c-duration,td.c-attempts,td.c-start{text-align:right;font-variant-numeric:tabular-nums}
    .log-row td{padding-top:0}.log-row summary{cursor:pointer;color:var(--muted);font-size:12px}
    pre{margin:4px 0;padding:8px;background:var(--panel);border-radius:4px;overflow:auto;max-height:360px;
    white-space:pre-wrap;overflow-wrap:anywhere}
    #details{position:fixed;right:16px;bottom:16px;width:min(520px,calc(100vw - 32px));max-height:60vh;
    overflow:auto;background:var(--bg);border:1px solid var(--line);border-radius:8px;
    box-shadow:0 6px 24px rgba(0,0,0,.2);padding:12px 14px;z-index:10}
    #details[hidden],#details pre[hidden]{display:none}
    #details h3{margin:0 0 6px;font-size:15px;padding-right:24px;overflow-wrap:anywhere}
    #details dl{display:grid;grid-template-columns:auto 1fr;gap:2px 12px;margin:0}
    #details dt{color:var(--muted)}#details dd{margin:0;overflow-wrap:anywhere;white-space:pre-wrap}
    #details .attempts{margin:6px 0;padding-left:18px}#details .current{font-weight:600}
    #details dd.c-command{font-family:ui-monospace,"SF Mono",Menlo,Consolas,"DejaVu Sans Mono",monospace;
    font-size:12px}
    #details-close{position:absolute;top:6px;right:8px;border:0;background:none;font-size:18px;cursor:pointer;
    color:var(--muted)}

    """

  /// The page's script: details of a bar on hover (pinned on click, or from the address:
  /// `report.html#pin=JOB`), zoom, and `data-rendered` on `<body>`: how many bars the
  /// browser laid out.
  static let script = """
    (function () {
      "use strict";
      var canvas = document.getElementById("canvas");
      var panel = document.getElementById("details");
      var fields = [["status", "c-status"], ["exit", "c-exit"], ["duration", "c-duration"],
        ["attempts", "c-attempts"], ["worker", "c-worker"], ["start", "c-start"], ["reason", "c-reason"],
        ["description", "c-description"], ["command", "c-command"]];
      var pinned = null;
      var zoom = 1;
      function text(row, name) {
        var found = row.querySelector("." + name);
        return found ? found.textContent : "";
      }
      function barsOf(job) {
        return canvas ? canvas.querySelectorAll('.b[data-j="' + job + '"]') : [];
      }
      function show(bar) {
        var job = bar.getAttribute("data-j");
        var row = document.getElementById("job-" + job);
        if (!row) return;
        panel.querySelector("h3").textContent = text(row, "id");
        var list = panel.querySelector("dl");
        list.textContent = "";
        fields.forEach(function (field) {
          var value = text(row, field[1]);
          if (!value) return;
          var term = document.createElement("dt");
          term.textContent = field[0];
          var data = document.createElement("dd");
          data.textContent = value;
          data.className = field[1];
          list.appendChild(term);
          list.appendChild(data);
        });
        var attempts = panel.querySelector(".attempts");
        attempts.textContent = "";
        var bars = barsOf(job);
        for (var i = 0; bars.length > 1 && i < bars.length; i++) {
          var item = document.createElement("li");
          item.textContent = bars[i].title;
          if (bars[i] === bar) item.className = "current";
          attempts.appendChild(item);
        }
        var log = document.getElementById("log-" + job);
        var tail = panel.querySelector(".tail");
        tail.textContent = log ? log.textContent : "";
        tail.hidden = !log;
        panel.hidden = false;
      }
      function pin(bar) {
        if (pinned) pinned.classList.remove("pinned");
        pinned = bar;
        if (bar) {
          bar.classList.add("pinned");
          show(bar);
        } else {
          panel.hidden = true;
        }
      }
      if (canvas) {
        canvas.addEventListener("mouseover", function (event) {
          var bar = event.target.closest(".b");
          if (bar && !pinned) show(bar);
        });
        canvas.addEventListener("mouseleave", function () {
          if (!pinned) panel.hidden = true;
        });
        canvas.addEventListener("click", function (event) {
          var bar = event.target.closest(".b");
          pin(bar && bar !== pinned ? bar : null);
        });
      }
      document.getElementById("details-close").addEventListener("click", function () { pin(null); });
      document.addEventListener("keydown", function (event) {
        if (event.key === "Escape") pin(null);
      });
      function pinJob(row, scroll) {
        var bars = barsOf(row.id.slice(4));
        if (!bars.length) return;
        var last = bars[bars.length - 1];
        pin(last);
        if (scroll) last.scrollIntoView({ block: "center", inline: "center" });
      }
      document.getElementById("jobs").addEventListener("click", function (event) {
        var id = event.target.closest(".id");
        if (id) pinJob(id.closest("tr"), true);
      });
      // report.html#pin=JOB opens with JOB's details pinned.
      if (location.hash.indexOf("#pin=") === 0) {
        var wanted = decodeURIComponent(location.hash.slice(5));
        document.querySelectorAll("#jobs .id").forEach(function (id) {
          if (id.textContent === wanted) pinJob(id.closest("tr"), false);
        });
      }
      document.querySelectorAll("[data-zoom]").forEach(function (button) {
        button.addEventListener("click", function () {
          var factor = Number(button.getAttribute("data-zoom"));
          zoom = factor ? Math.min(Math.max(zoom * factor, 1), 512) : 1;
          if (canvas) canvas.style.width = zoom * 100 + "%";
        });
      });
      var all = canvas ? canvas.querySelectorAll(".b") : [];
      var drawn = 0;
      for (var k = 0; k < all.length; k++) {
        var box = all[k].getBoundingClientRect();
        if (box.width > 0 && box.height > 0) drawn++;
      }
      var lanes = canvas ? canvas.querySelectorAll(".lane").length : 0;
      document.body.setAttribute("data-rendered", String(drawn));
      document.getElementById("timeline-status").textContent = drawn + " bar" + (drawn === 1 ? "" : "s") +
        " drawn on " + lanes + " worker lane" + (lanes === 1 ? "" : "s");
    })();

    """
}
