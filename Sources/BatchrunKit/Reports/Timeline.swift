/// A run's jobs placed on worker lanes from a report's times: what the HTML report's
/// timeline draws. Works from the report alone, so any saved report can be drawn.
struct Timeline: Sendable {
  /// A stretch of time in milliseconds since the epoch, `start` included, `end` not.
  struct Span: Sendable, Equatable {
    var start: Int64
    var end: Int64

    init(start: Int64, end: Int64) {
      self.start = start
      self.end = max(start, end)
    }
  }

  /// One attempt of a job, drawn as a bar on its job's lane.
  struct Bar: Sendable, Equatable {
    /// The job's index in the report's `jobs`.
    var job: Int
    /// The attempt's number, from 1.
    var attempt: Int
    /// The attempt's status as the report wrote it.
    var status: JobResult.Status
    var span: Span
  }

  /// The left edge: the run's start, or the earliest start of a job if that is earlier.
  var origin: Int64
  /// The right edge: the run's end, or the latest end of a job if that is later.
  var end: Int64
  /// The time from the first job start (or the run's start) to the last job end, per job:
  /// the job's whole occupation of its worker, retry delays included; `nil` for a job
  /// that never started.
  var spans: [Span?]
  /// The lane (from 0) of each job in the report's `jobs`; `nil` for a job never started.
  var lanes: [Int?]
  /// How many lanes the jobs use (at most the report's `concurrency`).
  var laneCount: Int
  /// Every attempt that started, in job order.
  var bars: [Bar]

  /// The timeline of `report`.
  init(report: ReportDocument) {
    func time(_ text: String?) -> Int64? { text.flatMap(JournalReplay.milliseconds) }
    let runStart = time(report.startedAt)
    let runEnd = time(report.finishedAt)
    var spans: [Span?] = []
    var bars: [Bar] = []
    for (index, job) in report.jobs.enumerated() {
      let attempts = job.attempts
      guard let jobStart = time(job.startedAt) ?? attempts.lazy.compactMap({ time($0.startedAt) }).first
      else {
        spans.append(nil)
        continue
      }
      let jobEnd =
        time(job.finishedAt) ?? attempts.compactMap { time($0.finishedAt) }.max() ?? runEnd ?? jobStart
      spans.append(Span(start: jobStart, end: jobEnd))
      var drawn = false
      for attempt in attempts {
        guard let start = time(attempt.startedAt) else { continue }
        let end = time(attempt.finishedAt) ?? jobEnd
        bars.append(
          Bar(
            job: index, attempt: attempt.attempt, status: attempt.status, span: Span(start: start, end: end)))
        drawn = true
      }
      if !drawn {
        bars.append(Bar(job: index, attempt: 1, status: job.status, span: Span(start: jobStart, end: jobEnd)))
      }
    }
    let started = spans.compactMap { $0 }
    origin = min(runStart ?? Int64.max, started.map(\.start).min() ?? Int64.max)
    if origin == Int64.max { origin = runEnd ?? 0 }
    end = max(runEnd ?? origin, started.map(\.end).max() ?? origin, origin)
    let limit = report.concurrency ?? 0
    let present = started.isEmpty ? [] : Self.assignLanes(started, limit: limit > 0 ? limit : Int.max)
    var lanes: [Int?] = []
    var next = present.makeIterator()
    for span in spans { lanes.append(span == nil ? nil : next.next()) }
    self.spans = spans
    self.lanes = lanes
    self.laneCount = (present.max() ?? -1) + 1
    self.bars = bars
  }

  /// The lane of each span: in order of start, each span takes the lowest-numbered lane
  /// free at its start, a lane being free once its last span has ended (at or before that
  /// start). Of spans starting together, those that took no time (a job that could not
  /// start) go first, so that they free their lane for a job their worker started in the
  /// same millisecond; then they go in the given order. At most `limit` lanes are used:
  /// the spans of a run with `concurrency` N never need more, and if inconsistent times
  /// would, the span goes to the lane that frees first.
  static func assignLanes(_ spans: [Span], limit: Int) -> [Int] {
    func key(_ index: Int) -> (Int64, Int, Int) {
      (spans[index].start, spans[index].end > spans[index].start ? 1 : 0, index)
    }
    let order = spans.indices.sorted { key($0) < key($1) }
    var lanes = [Int](repeating: 0, count: spans.count)
    // Busy lanes by the end of their last span; free lanes by number.
    var busy = Heap<(end: Int64, lane: Int)> { ($0.end, $0.lane) < ($1.end, $1.lane) }
    var free = Heap<Int>(by: <)
    var opened = 0
    for index in order {
      let span = spans[index]
      while let top = busy.peek, top.end <= span.start {
        free.push(busy.pop()!.lane)
      }
      let lane: Int
      if let lowest = free.pop() {
        lane = lowest
      } else if opened < max(limit, 1) {
        lane = opened
        opened += 1
      } else {
        lane = busy.pop()!.lane
      }
      lanes[index] = lane
      busy.push((span.end, lane))
    }
    return lanes
  }

}
