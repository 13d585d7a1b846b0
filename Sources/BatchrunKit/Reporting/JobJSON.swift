/// The report's JSON for jobs and attempts, shared by `report.json` and the journal.
public struct JobJSON: Sendable {
  public let plan: Plan
  public let launches: LaunchFactory

  public init(plan: Plan, launches: LaunchFactory) {
    self.plan = plan
    self.launches = launches
  }

  /// The report's object for one job.
  public func json(_ result: JobResult) -> JSON {
    let job = plan.graph.jobs[result.index]
    var command: JSON = .null
    var argv: JSON = .null
    switch job.command {
    case .shell(let text): command = .string(text)
    case .argv(let words): argv = .array(words.map(JSON.string))
    }
    let last = result.lastAttempt
    let (exitCode, signal) = Self.exitFields(last?.exit)
    return .object([
      ("id", .string(job.id)),
      ("description", .string(job.description)),
      ("command", command),
      ("argv", argv),
      ("needs", .array(job.needs.map(JSON.string))),
      ("cwd", .string(launches.workingDirectory(for: job))),
      ("status", .string(result.status.rawValue)),
      ("allow_failure", .bool(job.allowFailure)),
      ("reason", .string(result.reason)),
      ("exit_code", exitCode),
      ("signal", signal),
      ("started_at", .string(result.attempts.first?.exit.startedAt.rfc3339)),
      ("finished_at", .string(last?.exit.finishedAt.rfc3339)),
      ("duration_seconds", last == nil ? .null : .double(RunReport.duration(of: result))),
      ("log", .string(last?.log)),
      ("output_bytes", .int(last?.exit.outputBytes)),
      ("attempts", .array(result.attempts.map(Self.attemptJSON))),
    ])
  }

  static func attemptJSON(_ record: AttemptRecord) -> JSON {
    let (exitCode, signal) = exitFields(record.exit)
    return .object([
      ("attempt", .int(record.attempt)),
      ("status", .string(record.status.rawValue)),
      ("exit_code", exitCode),
      ("signal", signal),
      ("started_at", .string(record.exit.startedAt.rfc3339)),
      ("finished_at", .string(record.exit.finishedAt.rfc3339)),
      ("duration_seconds", .double(record.exit.startedAt.seconds(to: record.exit.finishedAt))),
      ("log", .string(record.log)),
    ])
  }

  /// `exit_code` and `signal`: a job that could not start reports 127, as a shell would.
  static func exitFields(_ exit: AttemptExit?) -> (JSON, JSON) {
    switch exit?.termination {
    case .exited(let code): (.int(Int(code)), .null)
    case .signaled(let signal): (.null, .string(SignalName.of(signal)))
    case .failedToStart: (.int(127), .null)
    case nil: (.null, .null)
    }
  }

}
