/// The heaviest chain of needs in a run: what a live report and a report rebuilt from the
/// journal both name, by one rule.
enum CriticalPath {
  /// The chain, first job to last, whose durations add up the most, among the jobs with a
  /// duration (the jobs that ran: a skipped job belongs to no chain). Ties go to the job
  /// that comes first in the manifest, for the need chosen and for the last job alike.
  ///
  /// Needs read from a damaged report can be anything: an index out of range is left out,
  /// and so is a need that would close a cycle (one on the chain being weighed).
  ///
  /// - Parameters:
  ///   - needs: each job's needs, by index.
  ///   - durations: each job's duration in seconds, `nil` for a job that did not run.
  static func heaviest(needs: [[Int]], durations: [Double?]) -> (jobs: [Int], seconds: Double) {
    enum Mark {
      case new
      case open
      case done(Double)
    }
    var marks = [Mark](repeating: .new, count: durations.count)
    var previous = [Int?](repeating: nil, count: durations.count)
    func weight(_ job: Int) -> Double? {
      if case .done(let seconds) = marks[job] { return seconds }
      return nil
    }
    func ran(_ job: Int) -> [Int] {
      (job < needs.count ? needs[job] : []).filter { durations.indices.contains($0) && durations[$0] != nil }
    }
    // Depth first, without recursion: a job is weighed once all the needs that ran are.
    for root in durations.indices where durations[root] != nil {
      guard case .new = marks[root] else { continue }
      var stack = [root]
      while let job = stack.last {
        switch marks[job] {
        case .new:
          marks[job] = .open
          stack += ran(job).filter { if case .new = marks[$0] { true } else { false } }
        case .open:
          stack.removeLast()
          // A need still open is on the chain being weighed: a cycle, left out.
          let weighed = ran(job).compactMap { need in weight(need).map { (need, $0) } }
          let heaviest = weighed.reduce(nil) { (chosen: (Int, Double)?, need: (Int, Double)) in
            guard let chosen else { return need }
            return need.1 > chosen.1 || (need.1 == chosen.1 && need.0 < chosen.0) ? need : chosen
          }
          previous[job] = heaviest?.0
          marks[job] = .done((heaviest?.1 ?? 0) + (durations[job] ?? 0))
        case .done:
          stack.removeLast()
        }
      }
    }
    var end: (job: Int, seconds: Double)?
    for job in durations.indices {
      guard let seconds = weight(job) else { continue }
      if let heaviest = end, seconds <= heaviest.seconds { continue }
      end = (job, seconds)
    }
    var path: [Int] = []
    var next = end?.job
    while let job = next, path.count < durations.count {
      path.append(job)
      next = previous[job]
    }
    return (path.reversed(), end?.seconds ?? 0)
  }

  /// The path's share of the wall time in whole percent; 0 without a wall time. Numbers
  /// from a damaged report that disagree give a large share, never a trap.
  static func share(_ seconds: Double, ofWall wall: Double) -> Int {
    let percent = seconds / wall * 100
    guard wall > 0, percent.isFinite else { return 0 }
    return Int(min(max(percent, 0), 1e9).rounded())
  }
}
