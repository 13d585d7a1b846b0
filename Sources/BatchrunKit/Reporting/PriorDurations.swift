/// Job durations from the previous run's report, to weight the critical path.
///
/// With them the scheduler starts first the jobs with the longest remaining *time*,
/// not merely the most remaining jobs. A job the previous run did not time counts as
/// the mean of those it did.
public struct PriorDurations: Sendable {
  /// Seconds by job id.
  public var seconds: [String: Double]

  public init(seconds: [String: Double]) {
    self.seconds = seconds
  }

  /// The durations in the report `latest` points at in `stateDirectory`, if there is one.
  public static func load(stateDirectory: String) -> PriorDurations? {
    guard let report = try? ReportLoader.load(stateDirectory + "/latest/report.json") else { return nil }
    var seconds: [String: Double] = [:]
    for job in report["jobs"]?.arrayValue ?? [] {
      guard let id = job["id"]?.stringValue, job["status"]?.stringValue == "succeeded",
        let duration = job["duration_seconds"]?.doubleValue
      else { continue }
      seconds[id] = duration
    }
    return seconds.isEmpty ? nil : PriorDurations(seconds: seconds)
  }

  /// A job's weight for ``Plan``: its last duration, else the mean of those known
  /// (a small floor keeps instant jobs from weighing nothing).
  public var weight: @Sendable (Job) -> Double {
    let mean = seconds.values.reduce(0, +) / Double(max(1, seconds.count))
    let seconds = self.seconds
    return { job in max(seconds[job.id] ?? mean, 0.001) }
  }
}
