/// What a report must look like to be read back (`batchrun report`, the previous run's
/// durations): the shape of `schemas/report.schema.json` as far as the readers use it.
///
/// The top level is an object with `schema_version` 1 and a `jobs` array of objects. Every
/// other field a reader uses, when present and not `null`, has its type and range: strings,
/// booleans, arrays of strings; counts, `concurrency`, `cpus`, `attempt` and `output_bytes`
/// whole numbers in the schema's range; exit codes whole numbers from 0 to 255 (all a
/// process can exit with); durations numbers from 0 to ``maxSeconds``. Fields it does not
/// know are left alone; the text of strings (times, ids, log paths) is not checked, and
/// readers ignore what they cannot read in it.
///
/// The readers themselves never trap on any value (``JSON/secondsValue``,
/// ``JSON/exitCodeValue``): the check is there so that a damaged report is named as one
/// rather than shown with holes.
public enum ReportCheck {
  /// The longest duration read back, in seconds (about 31,700 years: more than any two
  /// times in a report's form can be apart).
  public static let maxSeconds: Double = 1e12
  /// The exit codes a report can hold.
  public static let exitCodes = 0...255

  /// Where a report departs from its shape, and how.
  public struct Problem: Error, CustomStringConvertible, Equatable {
    /// Where: `jobs[2].attempts[0].duration_seconds`; empty for the whole document.
    public var path: String
    public var message: String
    public var description: String { path.isEmpty ? message : "\(path): \(message)" }
  }

  /// Checks a whole report.
  public static func check(report: JSON) throws(Problem) {
    let top = Field(value: report, path: "")
    guard case .object = report else {
      throw Problem(path: "", message: "expected an object, got \(describe(report))")
    }
    let version = top["schema_version"]
    guard version.value?.intValue == 1 else { throw version.failure("expected schema version 1") }
    try top["tool"].object { (tool) throws(Problem) in
      try tool["name"].string()
      try tool["version"].string()
    }
    try top["manifest"].object { (manifest) throws(Problem) in
      for key in ["path", "name", "sha256"] { try manifest[key].string() }
    }
    for key in ["run_id", "status", "error", "started_at", "finished_at"] { try top[key].string() }
    try top["exit_code"].integer(in: exitCodes)
    try top["duration_seconds"].seconds()
    try top["concurrency"].integer(in: 1...Int.max)
    try top["host"].object { (host) throws(Problem) in
      try host["hostname"].string()
      try host["os"].string()
      try host["cpus"].integer(in: 1...Int.max)
    }
    try top["summary"].object { (summary) throws(Problem) in
      for key in ["total", "succeeded", "failed", "timed_out", "cancelled", "skipped"] {
        try summary[key].integer(in: 0...Int.max)
      }
    }
    try top["critical_path"].object { (path) throws(Problem) in
      try path["jobs"].strings()
      try path["duration_seconds"].seconds()
    }
    let jobs = top["jobs"]
    guard case .array(let items)? = jobs.value else { throw jobs.failure("expected an array of jobs") }
    for (index, job) in items.enumerated() {
      try check(job: Field(value: job, path: "jobs[\(index)]"))
    }
  }

  /// Checks one job of a report (or of a journal's `job_finished` record).
  public static func check(job: JSON) throws(Problem) {
    try check(job: Field(value: job, path: ""))
  }

  static func check(job: Field) throws(Problem) {
    guard case .object? = job.value else { throw job.failure("expected a job (an object)") }
    for key in [
      "id", "description", "command", "cwd", "status", "reason", "signal", "started_at", "finished_at", "log",
    ] {
      try job[key].string()
    }
    try job["argv"].strings()
    try job["needs"].strings()
    try job["allow_failure"].bool()
    try job["exit_code"].integer(in: exitCodes)
    try job["duration_seconds"].seconds()
    try job["output_bytes"].integer(in: 0...Int.max)
    try job["attempts"].array { (attempt) throws(Problem) in
      guard case .object? = attempt.value else { throw attempt.failure("expected an attempt (an object)") }
      for key in ["status", "signal", "started_at", "finished_at", "log"] { try attempt[key].string() }
      try attempt["attempt"].integer(in: 1...Int.max)
      try attempt["exit_code"].integer(in: exitCodes)
      try attempt["duration_seconds"].seconds()
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

  /// A value in the document and where it is; `nil` and `null` are "absent".
  struct Field {
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
      Problem(path: path, message: "\(expected), got \(ReportCheck.describe(value))")
    }

    func string() throws(Problem) {
      if let present, present.stringValue == nil { throw failure("expected a string") }
    }

    func bool() throws(Problem) {
      guard let present else { return }
      guard case .bool = present else { throw failure("expected true or false") }
    }

    func integer(in range: ClosedRange<Int>) throws(Problem) {
      guard let present else { return }
      guard let number = present.intValue, range.contains(number) else {
        let bounds =
          range.upperBound == Int.max
          ? "at least \(range.lowerBound)" : "from \(range.lowerBound) to \(range.upperBound)"
        throw failure("expected a whole number \(bounds)")
      }
    }

    func seconds() throws(Problem) {
      if let present, present.secondsValue == nil {
        throw failure("expected a duration in seconds, from 0 to 1e12")
      }
    }

    func array(_ each: (Field) throws(Problem) -> Void) throws(Problem) {
      guard let present else { return }
      guard case .array(let items) = present else { throw failure("expected an array") }
      for (index, item) in items.enumerated() { try each(Field(value: item, path: "\(path)[\(index)]")) }
    }

    func strings() throws(Problem) {
      try array { (item) throws(Problem) in
        if item.value?.stringValue == nil { throw item.failure("expected a string") }
      }
    }

    func object(_ body: (Field) throws(Problem) -> Void) throws(Problem) {
      guard let present else { return }
      guard case .object = present else { throw failure("expected an object") }
      try body(self)
    }
  }
}

extension JSON {
  /// A duration as reports hold them: a number from 0 to ``ReportCheck/maxSeconds``;
  /// `nil` for anything else (negative, too large, not a number).
  public var secondsValue: Double? {
    guard let seconds = doubleValue, seconds >= 0, seconds <= ReportCheck.maxSeconds else { return nil }
    return seconds
  }

  /// An exit code as reports hold them: a whole number from 0 to 255; `nil` for anything else.
  public var exitCodeValue: Int? {
    guard let code = intValue, ReportCheck.exitCodes.contains(code) else { return nil }
    return code
  }
}
