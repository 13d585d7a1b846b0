/// Each job's duration the last time it succeeded, to weight the critical path; kept per
/// manifest in `<state-dir>/cache/durations.json` (README, "Critical path first, by
/// time").
///
/// With them the scheduler starts first the jobs with the longest remaining *time*,
/// not merely the most remaining jobs. A job with no duration counts as the mean of those
/// known. A run where nothing ran (every job up to date) keeps the durations it found.
public struct PriorDurations: Sendable {
  /// Seconds by job id.
  var seconds: [String: Double]

  init(seconds: [String: Double]) {
    self.seconds = seconds
  }

  /// The durations of the jobs that succeeded in `report` (those a run records); `nil`
  /// if it has none.
  public init?(report: ReportDocument) {
    var seconds: [String: Double] = [:]
    for job in report.jobs where job.status == .succeeded {
      if let duration = job.durationSeconds { seconds[job.id] = duration }
    }
    if seconds.isEmpty { return nil }
    self.init(seconds: seconds)
  }

  /// The path of the durations file in `stateDirectory`.
  static func path(stateDirectory: String) -> String {
    stateDirectory + "/cache/durations.json"
  }

  /// The durations recorded for `manifest` in `stateDirectory`; `nil` if there are none.
  /// - Throws: why the file cannot be used (it cannot be read, or it is damaged).
  public static func load(stateDirectory: String, manifest: Manifest) throws(SystemFailure) -> PriorDurations?
  {
    switch JobRecordFile.read(path(stateDirectory: stateDirectory)) {
    case nil: return nil
    case .failure(let failure): throw failure
    case .success(let all):
      let seconds = (all[manifest.absolutePath] ?? [:]).compactMapValues(\.doubleValue)
      return seconds.isEmpty ? nil : PriorDurations(seconds: seconds)
    }
  }

  /// Adds `measured` (seconds by job id) to the durations recorded for `manifest` in
  /// `stateDirectory`; the others stay. Nothing measured, nothing written.
  static func record(_ measured: [String: Double], manifest: Manifest, stateDirectory: String)
    throws(SystemFailure)
  {
    guard !measured.isEmpty else { return }
    let path = path(stateDirectory: stateDirectory)
    // A damaged file is replaced (its warning was given when the run started).
    var all = (try? JobRecordFile.read(path)?.get()) ?? [:]
    let key = manifest.absolutePath
    for (id, seconds) in measured { all[key, default: [:]][id] = .double(seconds) }
    try RunStore.makeDirectories(stateDirectory + "/cache")
    try JobRecordFile.write(all, to: path)
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
