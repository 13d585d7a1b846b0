/// The first failure of a failed run, and the jobs it took down with it: what every
/// console prints at the end of a failed run, so that the cause is not buried under the
/// output of the jobs that ran after it (docs/cli.md, "Console").
struct RootCause {
  /// The failure that finished first (not an allowed one).
  var result: JobResult
  var job: Job
  /// Jobs skipped because of it: its dependents, theirs, and so on.
  var skipped: [String]
  /// Jobs stopped or never started because the run stopped after it.
  var stopped: [String]

  /// `nil` when the run has no failure that fails it.
  init?(_ report: RunReport) {
    let graph = report.plan.graph
    let failures = report.outcome.results.filter {
      $0.status.isFailure && !graph.jobs[$0.index].allowFailure
    }
    guard
      let first = failures.min(by: {
        ($0.lastAttempt?.exit.finishedAt ?? report.finishedAt)
          < ($1.lastAttempt?.exit.finishedAt ?? report.finishedAt)
      })
    else { return nil }
    result = first
    job = graph.jobs[first.index]
    let results = Dictionary(report.outcome.results.map { ($0.index, $0) }, uniquingKeysWith: { a, _ in a })
    var blamed: Set<Int> = [first.index]
    var skipped: [String] = []
    var stopped: [String] = []
    for index in graph.topologicalOrder() {
      guard let result = results[index], index != first.index else { continue }
      let id = graph.jobs[index].id
      switch result.status {
      case .skipped where graph.needs[index].contains(where: blamed.contains):
        blamed.insert(index)
        skipped.append(id)
      case .skipped where result.reason == StartRules.stoppedAfterFailure:
        stopped.append(id)
      case .cancelled where result.reason == StartRules.failFast(after: job.id):
        stopped.append(id)
      default:
        break
      }
    }
    self.skipped = skipped
    self.stopped = stopped
  }

  /// `first failure: test exit 1 (0.31s)`, its log's last lines, and what it took down.
  func text(_ lines: ConsoleLines) -> String {
    guard let last = result.lastAttempt else { return "" }
    let duration = DurationText.format(seconds: last.exit.startedAt.seconds(to: last.exit.finishedAt))
    var text =
      lines.paint("first failure:", .boldRed)
      + " \(job.id) \(ConsoleReporter.describe(result.status, last.exit)) (\(duration)); log: \(lines.runDirectory)/\(last.log)\n"
      + lines.tail(of: result)
    if !skipped.isEmpty { text += "  skipped because of it: " + Self.list(skipped) + "\n" }
    if !stopped.isEmpty { text += "  stopped or not started after it: " + Self.list(stopped) + "\n" }
    return text
  }

  /// Up to 10 ids, then a count of the rest.
  static func list(_ ids: [String]) -> String {
    let shown = ids.prefix(10).joined(separator: ", ")
    return ids.count > 10 ? shown + " and \(ids.count - 10) more" : shown
  }
}
