/// The heaviest chain of needs in a run: what a live report and a report rebuilt from the
/// journal both name, by one rule.
public enum CriticalPath {
  /// The chain, first job to last, whose durations add up the most, among the jobs with a
  /// duration (the jobs that ran: a skipped job belongs to no chain). Ties go to the job
  /// that comes first in the manifest, for the need chosen and for the last job alike.
  ///
  /// - Parameters:
  ///   - needs: each job's needs, by index.
  ///   - durations: each job's duration in seconds, `nil` for a job that did not run.
  public static func heaviest(needs: [[Int]], durations: [Double?]) -> (jobs: [Int], seconds: Double) {
    var best = [Double?](repeating: nil, count: durations.count)
    var previous = [Int?](repeating: nil, count: durations.count)
    // Depth first, without recursion: a job is weighed once all the needs that ran are.
    for root in durations.indices where durations[root] != nil && best[root] == nil {
      var stack = [root]
      while let job = stack.last {
        let ran = needs[job].filter { durations[$0] != nil }
        let pending = ran.filter { best[$0] == nil }
        if !pending.isEmpty {
          stack += pending
          continue
        }
        stack.removeLast()
        guard best[job] == nil else { continue }
        let heaviest = ran.reduce(nil) { (chosen: Int?, need: Int) in
          chosen.map { best[need]! > best[$0]! || (best[need]! == best[$0]! && need < $0) ? need : $0 }
            ?? need
        }
        previous[job] = heaviest
        best[job] = (heaviest.map { best[$0]! } ?? 0) + durations[job]!
      }
    }
    var end = best.indices.filter { best[$0] != nil }.max {
      best[$0]! < best[$1]! || (best[$0]! == best[$1]! && $0 > $1)
    }
    let total = end.map { best[$0]! } ?? 0
    var path: [Int] = []
    while let job = end {
      path.append(job)
      end = previous[job]
    }
    return (path.reversed(), total)
  }
}
