/// What one rendering of ``HTMLReport`` reads from the report, and the page's parts.
struct HTMLPage {
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
    JobResult.Status(rawValue: status) != nil || status == "incomplete" ? "st-" + status : "st-unknown"
  }

  static func seconds(_ value: Double) -> String { DurationText.format(seconds: value) }

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
