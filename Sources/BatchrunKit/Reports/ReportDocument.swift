/// A run report, typed: `report.json`, schema version 2, as docs/report.md describes it.
///
/// ``RunReport`` and the journal write it; ``init(json:)`` reads one back and checks it
/// once (types, ranges, statuses), and every reader works from the result: the text, HTML
/// and JUnit reports, the journal's replay and the prior durations. In a report read back,
/// a field a reader can do without may be missing (`nil`); batchrun writes every field.
public struct ReportDocument: Sendable, Equatable {
  /// The version of the report's form this type writes.
  static let schemaVersion = 2
  /// The versions it reads: 1 has no `executor`, `matrix`, `fingerprint`, `resources`,
  /// `pool`, `native_id` or `host`.
  static let readableVersions = 1...2
  /// The longest duration read back, in seconds (about 31,700 years: more than any two
  /// times in a report's form can be apart).
  static let maxSeconds: Double = 1e12
  /// The exit codes a report can hold: all a process can exit with.
  static let exitCodes = 0...255

  /// A run's overall status; `incomplete` for a report rebuilt from a journal.
  enum Status: String, Sendable, CaseIterable {
    case succeeded, failed, cancelled, incomplete
  }

  /// The program that wrote the report.
  struct Tool: Sendable, Equatable {
    var name: String?
    var version: String?
  }

  /// The manifest the run read.
  struct ManifestInfo: Sendable, Equatable {
    var path: String?
    var name: String?
    var sha256: String?
  }

  /// The machine the run ran on.
  struct Host: Sendable, Equatable {
    var hostname: String?
    var os: String?
    var cpus: Int?
  }

  /// How many jobs ended in each status.
  struct Summary: Sendable, Equatable {
    var total: Int?
    var counts: [JobResult.Status: Int]
  }

  /// The chain of needs with the largest sum of durations.
  struct CriticalPathSummary: Sendable, Equatable {
    var jobs: [String]
    var seconds: Double?
  }

  /// What a job asked for: cpus, memory in bytes, gpus.
  struct Resources: Sendable, Equatable {
    var cpus: Int?
    var memory: Int?
    var gpus: Int?
  }

  /// One value of a matrix axis, for a job expanded from a `matrix`.
  struct MatrixValue: Sendable, Equatable {
    var axis: String
    var value: String
  }

  /// One job of the run, its last attempt standing for it.
  struct Job: Sendable, Equatable {
    var id: String
    var description: String?
    /// The `run` string; `nil` for a job given as `argv`.
    var command: String?
    var argv: [String]?
    var needs: [String]
    var cwd: String?
    var status: JobResult.Status
    var allowFailure: Bool
    /// Why the job was skipped or cancelled.
    var reason: String?
    /// 127 for a job that could not start.
    var exitCode: Int?
    /// `SIGTERM`, for a job a signal ended.
    var signal: String?
    var startedAt: String?
    var finishedAt: String?
    var durationSeconds: Double?
    /// The last attempt's log, relative to the run directory.
    var log: String?
    var outputBytes: Int?
    /// The axis values of a job expanded from a `matrix`, in axis order.
    var matrix: [MatrixValue]?
    /// The job's fingerprint (SHA-256, hex), for a job with `inputs`.
    var fingerprint: String?
    var resources: Resources?
    var pool: String?
    var attempts: [Attempt]
  }

  /// One attempt of a job.
  struct Attempt: Sendable, Equatable {
    /// 1 for the first.
    var attempt: Int
    var status: JobResult.Status
    var exitCode: Int?
    var signal: String?
    var startedAt: String?
    var finishedAt: String?
    var durationSeconds: Double?
    var log: String?
    /// The executor's name for the attempt: the process id locally, the Slurm job id.
    var nativeID: String?
    /// The machine it ran on.
    var host: String?
  }

  var tool = Tool()
  var runID: String?
  var manifest = ManifestInfo()
  var status: Status?
  /// `nil` while the run goes on (a journal's first record).
  var exitCode: Int?
  /// Why batchrun itself failed after the jobs ran (exit code 70).
  var error: String?
  var startedAt: String?
  var finishedAt: String?
  var durationSeconds: Double?
  var concurrency: Int?
  var host = Host()
  /// `local` or `slurm`; `nil` in a version 1 report.
  var executor: String?
  var summary: Summary?
  var criticalPath: CriticalPathSummary?
  var jobs: [Job] = []

  /// A report with nothing in it.
  init() {}

  /// The `summary` of jobs with these final statuses.
  static func summary(of statuses: some Collection<JobResult.Status>) -> Summary {
    var counts = Dictionary(uniqueKeysWithValues: JobResult.Status.allCases.map { ($0, 0) })
    for status in statuses { counts[status, default: 0] += 1 }
    return Summary(total: statuses.count, counts: counts)
  }

  /// The jobs' count for `status`: the summary's, else counted from `jobs`.
  func count(_ status: JobResult.Status) -> Int {
    summary?.counts[status] ?? jobs.lazy.filter { $0.status == status }.count
  }

  // MARK: - Writing

  /// The report as JSON, every field present (`null` where there is no value).
  public func json() -> JSON {
    .object(headerMembers + [("jobs", .array(jobs.map { $0.json() }))])
  }

  /// Writes the report as JSON, `jobs` one at a time: `emit` gets pieces of about 64 KiB,
  /// so that a run of 100,000 jobs never holds its whole report in memory. The text is
  /// exactly `json().rendered(pretty:)` and a newline, with `leading` members first.
  ///
  /// - Returns: `false` as soon as `emit` does.
  func write(
    jobs: some Sequence<Job>, pretty: Bool = true, leading: [(String, JSON)] = [],
    to emit: ([UInt8]) -> Bool
  ) -> Bool {
    var out: [UInt8] = []
    out.reserveCapacity(Self.piece + 4096)
    out.append(UInt8(ascii: "{"))
    for (key, value) in leading + headerMembers {
      JSON.member(key, value, into: &out, pretty: pretty, indent: 1)
      out.append(UInt8(ascii: ","))
    }
    out.append(contentsOf: (pretty ? "\n  \"jobs\": [" : "\"jobs\":[").utf8)
    var empty = true
    for job in jobs {
      if !empty { out.append(UInt8(ascii: ",")) }
      empty = false
      if pretty { out.append(contentsOf: "\n    ".utf8) }
      job.json().write(to: &out, pretty: pretty, indent: 2)
      if out.count >= Self.piece {
        guard emit(out) else { return false }
        out.removeAll(keepingCapacity: true)
      }
    }
    out.append(contentsOf: (!pretty ? "]}\n" : empty ? "]\n}\n" : "\n  ]\n}\n").utf8)
    return emit(out)
  }

  /// The size of the pieces ``write(jobs:pretty:leading:to:)`` hands on.
  static let piece = 1 << 16

  private var headerMembers: [(String, JSON)] {
    [
      ("schema_version", .int(Self.schemaVersion)),
      ("tool", .object([("name", .string(tool.name)), ("version", .string(tool.version))])),
      ("run_id", .string(runID)),
      (
        "manifest",
        .object([
          ("path", .string(manifest.path)), ("name", .string(manifest.name)),
          ("sha256", .string(manifest.sha256)),
        ])
      ),
      ("status", .string(status?.rawValue)),
      ("exit_code", .int(exitCode)),
      ("error", .string(error)),
      ("started_at", .string(startedAt)),
      ("finished_at", .string(finishedAt)),
      ("duration_seconds", .double(durationSeconds)),
      ("concurrency", .int(concurrency)),
      (
        "host",
        .object([("hostname", .string(host.hostname)), ("os", .string(host.os)), ("cpus", .int(host.cpus))])
      ),
      ("executor", .string(executor)),
      (
        "summary",
        .object(
          [("total", .int(summary?.total ?? jobs.count))]
            + JobResult.Status.allCases.map { ($0.rawValue, .int(count($0))) })
      ),
      (
        "critical_path",
        .object([
          ("jobs", .array((criticalPath?.jobs ?? []).map(JSON.string))),
          ("duration_seconds", .double(criticalPath?.seconds ?? 0)),
        ])
      ),
    ]
  }
}

extension ReportDocument.Job {
  /// The job's object in a report (and in a journal's `job_finished` record).
  func json() -> JSON {
    .object([
      ("id", .string(id)),
      ("description", .string(description)),
      ("command", .string(command)),
      ("argv", argv.map { .array($0.map(JSON.string)) } ?? .null),
      ("needs", .array(needs.map(JSON.string))),
      ("cwd", .string(cwd)),
      ("status", .string(status.rawValue)),
      ("allow_failure", .bool(allowFailure)),
      ("reason", .string(reason)),
      ("exit_code", .int(exitCode)),
      ("signal", .string(signal)),
      ("started_at", .string(startedAt)),
      ("finished_at", .string(finishedAt)),
      ("duration_seconds", .double(durationSeconds)),
      ("log", .string(log)),
      ("output_bytes", .int(outputBytes)),
      ("matrix", matrix.map { .object($0.map { ($0.axis, .string($0.value)) }) } ?? .null),
      ("fingerprint", .string(fingerprint)),
      (
        "resources",
        resources.map {
          .object([("cpus", .int($0.cpus)), ("memory", .int($0.memory)), ("gpus", .int($0.gpus))])
        }
          ?? .null
      ),
      ("pool", .string(pool)),
      ("attempts", .array(attempts.map { $0.json() })),
    ])
  }

  /// `exit 3`, `SIGKILL`, or `nil` for a job that never ran.
  var ending: String? {
    signal ?? exitCode.map { "exit \($0)" }
  }

  /// The `run` string, or the `argv` quoted for a shell.
  var commandLine: String {
    command ?? (argv ?? []).map(ShellQuote.quote).joined(separator: " ")
  }
}

extension ReportDocument.Attempt {
  func json() -> JSON {
    .object([
      ("attempt", .int(attempt)),
      ("status", .string(status.rawValue)),
      ("exit_code", .int(exitCode)),
      ("signal", .string(signal)),
      ("started_at", .string(startedAt)),
      ("finished_at", .string(finishedAt)),
      ("duration_seconds", .double(durationSeconds)),
      ("log", .string(log)),
      ("native_id", .string(nativeID)),
      ("host", .string(host)),
    ])
  }

  /// `exit 3`, `SIGKILL`, or `nil` for an attempt that never ran.
  var ending: String? {
    signal ?? exitCode.map { "exit \($0)" }
  }
}
