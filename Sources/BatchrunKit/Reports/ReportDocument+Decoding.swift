/// Reading a report back: `schemas/report.schema.json`, as far as the readers use it.
///
/// The top level is an object with `schema_version` 1 or 2 and a `jobs` array of jobs, each with
/// an `id` and a `status`. Every other field, when present and not `null`, has its type
/// and range: strings, booleans, arrays of strings; counts, `concurrency`, `cpus`,
/// `attempt` and `output_bytes` whole numbers in the schema's range; exit codes whole
/// numbers from 0 to 255; durations numbers from 0 to ``ReportDocument/maxSeconds``;
/// statuses one of their names. Fields it does not know are left out; the text of strings
/// (times, ids, log paths) is not checked, and readers ignore what they cannot read in it.
extension ReportDocument {
  /// Where a report departs from its form, and how.
  public struct Problem: Error, CustomStringConvertible, Equatable {
    /// Where: `jobs[2].attempts[0].duration_seconds`; empty for the whole document.
    var path: String
    var message: String
    public var description: String { path.isEmpty ? message : "\(path): \(message)" }
  }

  /// The report `json` holds, checked.
  public init(json: JSON) throws(Problem) {
    let top = Field(value: json, path: "")
    guard case .object = json else { throw top.failure("expected an object") }
    let version = top["schema_version"]
    guard let number = version.value?.intValue, Self.readableVersions.contains(number) else {
      throw version.failure("expected schema version 1 or 2")
    }
    tool =
      try top["tool"].object { (tool) throws(Problem) in
        Tool(name: try tool["name"].string(), version: try tool["version"].string())
      } ?? Tool()
    manifest =
      try top["manifest"].object { (manifest) throws(Problem) in
        ManifestInfo(
          path: try manifest["path"].string(), name: try manifest["name"].string(),
          sha256: try manifest["sha256"].string())
      } ?? ManifestInfo()
    runID = try top["run_id"].string()
    status = try top["status"].status()
    error = try top["error"].string()
    startedAt = try top["started_at"].string()
    finishedAt = try top["finished_at"].string()
    exitCode = try top["exit_code"].integer(in: Self.exitCodes)
    durationSeconds = try top["duration_seconds"].seconds()
    concurrency = try top["concurrency"].integer(in: 1...Int.max)
    host =
      try top["host"].object { (host) throws(Problem) in
        Host(
          hostname: try host["hostname"].string(), os: try host["os"].string(),
          cpus: try host["cpus"].integer(in: 1...Int.max))
      } ?? Host()
    executor = try top["executor"].string()
    summary = try top["summary"].object { (summary) throws(Problem) in
      var counts: [JobResult.Status: Int] = [:]
      for status in JobResult.Status.allCases {
        counts[status] = try summary[status.rawValue].integer(in: 0...Int.max)
      }
      return Summary(total: try summary["total"].integer(in: 0...Int.max), counts: counts)
    }
    // Read as it is written: a missing path (or length) is an empty one, so that a report
    // reads back what it writes.
    criticalPath =
      try top["critical_path"].object { (path) throws(Problem) in
        CriticalPathSummary(
          jobs: try path["jobs"].strings() ?? [], seconds: try path["duration_seconds"].seconds() ?? 0)
      } ?? CriticalPathSummary(jobs: [], seconds: 0)
    let jobs = top["jobs"]
    guard case .array(let items)? = jobs.value else { throw jobs.failure("expected an array of jobs") }
    self.jobs = []
    self.jobs.reserveCapacity(items.count)
    for (index, item) in items.enumerated() {
      self.jobs.append(try Job(Field(value: item, path: "jobs[\(index)]")))
    }
    // A count the summary lacks (`up_to_date` in version 1) is counted from the jobs.
    if summary != nil {
      for status in JobResult.Status.allCases where summary?.counts[status] == nil {
        summary?.counts[status] = self.jobs.lazy.filter { $0.status == status }.count
      }
    }
  }

  /// A value for a message: `null`, `true`, `-1e+300`, `"NaN"`, `an object`, `nothing`.
  static func describe(_ value: JSON?) -> String {
    switch value {
    case nil: "nothing"
    case .null?: "null"
    case .bool(let flag)?: String(flag)
    case .int(let number)?: String(number)
    case .double(let number)?: String(number)
    case .string(let text)?: text.count <= 32 ? JSON.quote(text) : "a string"
    case .array?: "an array"
    case .object?: "an object"
    }
  }
}

extension ReportDocument.Job {
  /// A job of a report (or of a journal's `job_finished` record), checked.
  init(json: JSON) throws(ReportDocument.Problem) {
    try self.init(Field(value: json, path: ""))
  }

  fileprivate init(_ job: Field) throws(ReportDocument.Problem) {
    guard case .object? = job.value else { throw job.failure("expected a job (an object)") }
    id = try job["id"].required(job["id"].string(), "a string")
    status = try job["status"].required(job["status"].status(), "a job status")
    description = try job["description"].string()
    command = try job["command"].string()
    argv = try job["argv"].strings()
    needs = try job["needs"].strings() ?? []
    cwd = try job["cwd"].string()
    allowFailure = try job["allow_failure"].bool() ?? false
    reason = try job["reason"].string()
    exitCode = try job["exit_code"].integer(in: ReportDocument.exitCodes)
    signal = try job["signal"].string()
    startedAt = try job["started_at"].string()
    finishedAt = try job["finished_at"].string()
    durationSeconds = try job["duration_seconds"].seconds()
    log = try job["log"].string()
    outputBytes = try job["output_bytes"].integer(in: 0...Int.max)
    matrix = try job["matrix"].object { (matrix) throws(ReportDocument.Problem) in
      guard case .object(let members)? = matrix.value else { return [] }
      var values: [ReportDocument.MatrixValue] = []
      for (axis, _) in members {
        values.append(.init(axis: axis, value: try matrix[axis].required(matrix[axis].string(), "a string")))
      }
      return values
    }
    fingerprint = try job["fingerprint"].string()
    resources = try job["resources"].object { (resources) throws(ReportDocument.Problem) in
      ReportDocument.Resources(
        cpus: try resources["cpus"].integer(in: 0...Int.max),
        memory: try resources["memory"].integer(in: 0...Int.max),
        gpus: try resources["gpus"].integer(in: 0...Int.max))
    }
    pool = try job["pool"].string()
    attempts =
      try job["attempts"].array { (attempt) throws(ReportDocument.Problem) in
        guard case .object? = attempt.value else { throw attempt.failure("expected an attempt (an object)") }
        return ReportDocument.Attempt(
          attempt: try attempt["attempt"].required(
            attempt["attempt"].integer(in: 1...Int.max), "a whole number"),
          status: try attempt["status"].required(attempt["status"].status(), "a job status"),
          exitCode: try attempt["exit_code"].integer(in: ReportDocument.exitCodes),
          signal: try attempt["signal"].string(),
          startedAt: try attempt["started_at"].string(), finishedAt: try attempt["finished_at"].string(),
          durationSeconds: try attempt["duration_seconds"].seconds(), log: try attempt["log"].string(),
          nativeID: try attempt["native_id"].string(), host: try attempt["host"].string())
      } ?? []
  }
}

/// A value in the document and where it is; `nil` and `null` are "absent", read as `nil`.
private struct Field {
  typealias Problem = ReportDocument.Problem

  var value: JSON?
  var path: String

  subscript(key: String) -> Field {
    Field(value: value?[key], path: path.isEmpty ? key : path + "." + key)
  }

  /// The value unless it is absent or `null`.
  var present: JSON? {
    if case .null? = value { return nil }
    return value
  }

  func failure(_ expected: String) -> Problem {
    Problem(path: path, message: "\(expected), got \(ReportDocument.describe(value))")
  }

  /// `value`, which a reader cannot do without.
  func required<T>(_ value: T?, _ expected: String) throws(Problem) -> T {
    guard let value else { throw failure("expected \(expected)") }
    return value
  }

  func string() throws(Problem) -> String? {
    guard let present else { return nil }
    guard let text = present.stringValue else { throw failure("expected a string") }
    return text
  }

  func bool() throws(Problem) -> Bool? {
    guard let present else { return nil }
    guard case .bool(let flag) = present else { throw failure("expected true or false") }
    return flag
  }

  func integer(in range: ClosedRange<Int>) throws(Problem) -> Int? {
    guard let present else { return nil }
    guard let number = present.intValue, range.contains(number) else {
      let bounds =
        range.upperBound == Int.max
        ? "at least \(range.lowerBound)" : "from \(range.lowerBound) to \(range.upperBound)"
      throw failure("expected a whole number \(bounds)")
    }
    return number
  }

  func seconds() throws(Problem) -> Double? {
    guard let present else { return nil }
    guard let seconds = present.doubleValue, seconds >= 0, seconds <= ReportDocument.maxSeconds else {
      throw failure("expected a duration in seconds, from 0 to 1e12")
    }
    return seconds
  }

  /// One of the status names of `S`.
  func status<S: RawRepresentable<String> & CaseIterable>() throws(Problem) -> S? {
    guard let present else { return nil }
    guard let name = present.stringValue, let status = S(rawValue: name) else {
      throw failure("expected one of " + S.allCases.map(\.rawValue).joined(separator: ", "))
    }
    return status
  }

  func array<T>(_ each: (Field) throws(Problem) -> T) throws(Problem) -> [T]? {
    guard let present else { return nil }
    guard case .array(let items) = present else { throw failure("expected an array") }
    var values: [T] = []
    values.reserveCapacity(items.count)
    for (index, item) in items.enumerated() {
      values.append(try each(Field(value: item, path: "\(path)[\(index)]")))
    }
    return values
  }

  func strings() throws(Problem) -> [String]? {
    try array { (item) throws(Problem) in
      guard let text = item.value?.stringValue else { throw item.failure("expected a string") }
      return text
    }
  }

  func object<T>(_ body: (Field) throws(Problem) -> T) throws(Problem) -> T? {
    guard let present else { return nil }
    guard case .object = present else { throw failure("expected an object") }
    return try body(self)
  }
}
