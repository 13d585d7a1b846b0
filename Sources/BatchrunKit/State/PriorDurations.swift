/// Job durations from the previous run's report, to weight the critical path.
///
/// With them the scheduler starts first the jobs with the longest remaining *time*,
/// not merely the most remaining jobs. A job the previous run did not time counts as
/// the mean of those it did.
public struct PriorDurations: Sendable {
  /// Seconds by job id.
  var seconds: [String: Double]

  init(seconds: [String: Double]) {
    self.seconds = seconds
  }

  /// The durations of the succeeded jobs in `report`; `nil` if it has none.
  public init?(report: ReportDocument) {
    var seconds: [String: Double] = [:]
    for job in report.jobs where job.status == .succeeded {
      if let duration = job.durationSeconds { seconds[job.id] = duration }
    }
    if seconds.isEmpty { return nil }
    self.init(seconds: seconds)
  }

  /// The path of the report `latest` points at in `stateDirectory`.
  static func reportPath(stateDirectory: String) -> String {
    stateDirectory + "/latest/report.json"
  }

  /// The durations in the report `latest` points at in `stateDirectory`; `nil` if there is
  /// no such report (no run yet, or the last one was killed before writing it).
  /// - Throws: why the report there cannot be used: it cannot be read, or it is not a
  ///   valid report (``ReportLoader/loadFile(_:)``).
  public static func load(stateDirectory: String) throws(ReportLoader.Failure) -> PriorDurations? {
    let report: ReportDocument
    do throws(ReportLoader.Failure) {
      report = try ReportLoader.loadFile(reportPath(stateDirectory: stateDirectory))
    } catch  where error.kind == .missing {
      return nil
    }
    return PriorDurations(report: report)
  }

  /// A job's weight for ``Plan``: its last duration, else the mean of those known
  /// (a small floor keeps instant jobs from weighing nothing). Only durations a report
  /// can hold count (0 to ``ReportDocument/maxSeconds``), so weights and their sums stay finite.
  public var weight: @Sendable (Job) -> Double {
    let usable = seconds.filter { (0...ReportDocument.maxSeconds).contains($0.value) }
    let mean = usable.values.reduce(0, +) / Double(max(1, usable.count))
    return { job in max(usable[job.id] ?? mean, 0.001) }
  }
}
