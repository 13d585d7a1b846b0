/// A run report, typed: `report.json`, schema version 2, as docs/report.md describes it.
///
/// ``RunReport`` and the journal write it; ``init(json:)`` reads one back and checks it
/// once (types, ranges, statuses), and every reader works from the result: the text, HTML
/// and JUnit reports, the journal's replay and the prior durations. In a report read back,
/// a field a reader can do without may be missing (`nil`); batchrun writes every field.
public struct ReportDocument: Sendable, Equatable {
  /// The version of the report's form this type writes.
  public static let schemaVersion = 2
  /// The versions it reads: 1 has no `executor`, `matrix`, `fingerprint`, `resources`,
  /// `pool`, `native_id` or `host`.
  public static let readableVersions = 1...2
  /// The longest duration read back, in seconds (about 31,700 years: more than any two
  /// times in a report's form can be apart).
  public static let maxSeconds: Double = 1e12
  /// The exit codes a report can hold: all a process can exit with.
  public static let exitCodes = 0...255

  /// A run's overall status; `incomplete` for a report rebuilt from a journal.
  public enum Status: String, Sendable, CaseIterable {
    case succeeded, failed, cancelled, incomplete
  }

  /// The program that wrote the report.
  public struct Tool: Sendable, Equatable {
    public var name: String?
    public var version: String?
  }

  /// The manifest the run read.
  public struct ManifestInfo: Sendable, Equatable {
    public var path: String?
    public var name: String?
    public var sha256: String?
  }

  /// The machine the run ran on.
  public struct Host: Sendable, Equatable {
    public var hostname: String?
    public var os: String?
    public var cpus: Int?
  }

  /// How many jobs ended in each status.
  public struct Summary: Sendable, Equatable {
    public var total: Int?
    public var counts: [JobResult.Status: Int]
  }

  /// The chain of needs with the largest sum of durations.
  public struct CriticalPathSummary: Sendable, Equatable {
    public var jobs: [String]
    public var seconds: Double?
  }

  /// What a job asked for: cpus, memory in bytes, gpus.
  public struct Resources: Sendable, Equatable {
    public var cpus: Int?
    public var memory: Int?
    public var gpus: Int?
  }

  /// One value of a matrix axis, for a job expanded from a `matrix`.
  public struct MatrixValue: Sendable, Equatable {
    public var axis: String
    public var value: String
  }

  /// One job of the run, its last attempt standing for it.
  public struct Job: Sendable, Equatable {
    public var id: String
    public var description: String?
    /// The `run` string; `nil` for a job given as `argv`.
    public var command: String?
    public var argv: [String]?
    public var needs: [String]
    public var cwd: String?
    public var status: JobResult.Status
    public var allowFailure: Bool
    /// Why the job was skipped or cancelled.
    public var reason: String?
    /// 127 for a job that could not start.
    public var exitCode: Int?
    /// `SIGTERM`, for a job a signal ended.
    public var signal: String?
    public var startedAt: String?
    public var finishedAt: String?
    public var durationSeconds: Double?
    /// The last attempt's log, relative to the run directory.
    public var log: String?
    public var outputBytes: Int?
    /// The axis values of a job expanded from a `matrix`, in axis order.
    public var matrix: [MatrixValue]?
    /// The job's fingerprint (SHA-256, hex), for a job with `inputs`.
    public var fingerprint: String?
    public var resources: Resources?
    public var pool: String?
    public var attempts: [Attempt]
  }

  /// One attempt of a job.
  public struct Attempt: Sendable, Equatable {
    /// 1 for the first.
    public var attempt: Int
    public var status: JobResult.Status
    public var exitCode: Int?
    public var signal: String?
    public var startedAt: String?
    public var finishedAt: String?
    public var durationSeconds: Double?
    public var log: String?
    /// The executor's name for the attempt: the process id locally, the Slurm job id.
    public var nativeID: String?
    /// The machine it ran on.
    public var host: String?
  }

  public var tool = Tool()
  public var runID: String?
  public var manifest = ManifestInfo()
  public var status: Status?
  /// `nil` while the run goes on (a journal's first record).
  public var exitCode: Int?
  /// Why batchrun itself failed after the jobs ran (exit code 70).
  public var error: String?
  public var startedAt: String?
  public var finishedAt: String?
  public var durationSeconds: Double?
  public var concurrency: Int?
  public var host = Host()
  /// `local` or `slurm`; `nil` in a version 1 report.
  public var executor: String?
  public var summary: Summary?
  public var criticalPath: CriticalPathSummary?
  public var jobs: [Job] = []

  /// A report with nothing in it.
  public init() {}

  /// The `summary` of jobs with these final statuses.
  public static func summary(of statuses: some Collection<JobResult.Status>) -> Summary {
    var counts = Dictionary(uniqueKeysWithValues: JobResult.Status.allCases.map { ($0, 0) })
    for status in statuses { counts[status, default: 0] += 1 }
    return Summary(total: statuses.count, counts: counts)
  }

  /// The jobs' count for `status`: the summary's, else counted from `jobs`.
  public func count(_ status: JobResult.Status) -> Int {
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
  public func write(
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
  public func json() -> JSON {
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
  public var ending: String? {
    signal ?? exitCode.map { "exit \($0)" }
  }

  /// The `run` string, or the `argv` quoted for a shell.
  public var commandLine: String {
    command ?? (argv ?? []).map(ShellQuote.quote).joined(separator: " ")
  }
}

extension ReportDocument.Attempt {
  public func json() -> JSON {
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
  public var ending: String? {
    signal ?? exitCode.map { "exit \($0)" }
  }
}
