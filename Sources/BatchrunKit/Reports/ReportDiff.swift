/// What changed from one run to another (`batchrun report --diff`): jobs newly failing,
/// fixed, still failing, added, removed, slower or faster, and flaky.
///
/// A job is failing when it `failed` or `timed_out` without `allow-failure`; skipped and
/// cancelled jobs neither fail nor pass. A job is slower (faster) when its duration grew
/// (shrank) by more than ``relativeChange`` of the earlier one and by more than
/// ``absoluteChange`` seconds; only jobs that ran in both runs are compared. A job is
/// flaky when it succeeded in the later run after more than one attempt.
public struct ReportDiff: Sendable, Equatable {
  /// The smallest change in duration, as a share of the earlier one, that counts.
  static let relativeChange = 0.2
  /// The smallest change in duration, in seconds, that counts.
  static let absoluteChange = 1.0

  /// A job in the later run, and how it ended in the earlier one.
  struct Change: Sendable, Equatable {
    var id: String
    var status: JobResult.Status
    var before: JobResult.Status
    /// `exit 3`, `SIGKILL`: how the later run's last attempt ended.
    var ending: String?
  }

  /// A job whose duration changed.
  struct Timing: Sendable, Equatable {
    var id: String
    var before: Double
    var after: Double
    /// `after / before - 1`: 0.5 for 50 % slower.
    var change: Double { before > 0 ? after / before - 1 : .infinity }
  }

  /// A job that succeeded only after retries.
  struct Flaky: Sendable, Equatable {
    var id: String
    var attempts: Int
  }

  var newlyFailing: [Change] = []
  var fixed: [Change] = []
  var stillFailing: [Change] = []
  var added: [String] = []
  var removed: [String] = []
  var slower: [Timing] = []
  var faster: [Timing] = []
  var flaky: [Flaky] = []

  /// Whether something newly fails or got slower: what `--fail-on-regression` fails on.
  public var isRegression: Bool { !newlyFailing.isEmpty || !slower.isEmpty }

  /// The changes from `before` to `after`, in the later run's job order (removed jobs in
  /// the earlier run's).
  public init(from before: ReportDocument, to after: ReportDocument) {
    var earlier: [String: ReportDocument.Job] = [:]
    for job in before.jobs { earlier[job.id] = job }
    let later = Set(after.jobs.map(\.id))
    removed = before.jobs.map(\.id).filter { !later.contains($0) }
    for job in after.jobs {
      guard let old = earlier[job.id] else {
        added.append(job.id)
        continue
      }
      let change = Change(id: job.id, status: job.status, before: old.status, ending: job.ending)
      switch (Self.fails(old), Self.fails(job)) {
      case (false, true): newlyFailing.append(change)
      case (true, true): stillFailing.append(change)
      case (true, false) where job.status.countsAsSuccess: fixed.append(change)
      default: break
      }
      if job.status == .succeeded, job.attempts.count > 1 {
        flaky.append(Flaky(id: job.id, attempts: job.attempts.count))
      }
      guard !old.attempts.isEmpty, !job.attempts.isEmpty, let was = old.durationSeconds,
        let now = job.durationSeconds
      else { continue }
      let timing = Timing(id: job.id, before: was, after: now)
      let difference = abs(now - was)
      if difference > Self.absoluteChange, difference > Self.relativeChange * was {
        if now > was { slower.append(timing) } else { faster.append(timing) }
      }
    }
  }

  /// Whether a job counts as failing: it failed or timed out, and may not.
  static func fails(_ job: ReportDocument.Job) -> Bool {
    job.status.isFailure && !job.allowFailure
  }

  // MARK: - Output

  /// The text `report --diff` prints: a line per run, then each non-empty list.
  public func text(before: ReportDocument, after: ReportDocument) -> String {
    func run(_ report: ReportDocument) -> String {
      "\(report.runID ?? "?") (\(report.status?.rawValue ?? "?"), \(report.jobs.count) jobs)"
    }
    var out = "from run \(run(before))\n  to run \(run(after))\n"
    func section<T>(_ title: String, _ items: [T], _ line: (T) -> String) {
      guard !items.isEmpty else { return }
      out += "\n\(title) (\(items.count)):\n"
      for item in items { out += "  " + line(item) + "\n" }
    }
    func change(_ item: Change) -> String {
      "\(item.id): \(item.status.rawValue)\(item.ending.map { ", \($0)" } ?? ""), was \(item.before.rawValue)"
    }
    func timing(_ item: Timing) -> String {
      let percent =
        item.change.isFinite ? "\(item.change >= 0 ? "+" : "")\(Int((item.change * 100).rounded()))%" : "new"
      return
        "\(item.id): \(DurationText.format(seconds: item.before)) -> \(DurationText.format(seconds: item.after)) (\(percent))"
    }
    section("newly failing", newlyFailing, change)
    section("fixed", fixed, change)
    section("still failing", stillFailing, change)
    section("added", added) { $0 }
    section("removed", removed) { $0 }
    section("slower", slower, timing)
    section("faster", faster, timing)
    section("flaky (succeeded after retries)", flaky) { "\($0.id): \($0.attempts) attempts" }
    let counts: [(Int, String)] = [
      (newlyFailing.count, "newly failing"), (fixed.count, "fixed"), (stillFailing.count, "still failing"),
      (added.count, "added"), (removed.count, "removed"), (slower.count, "slower"), (faster.count, "faster"),
      (flaky.count, "flaky"),
    ]
    let said = counts.filter { $0.0 > 0 }.map { "\($0.0) \($0.1)" }
    out += "\n" + (said.isEmpty ? "no changes" : said.joined(separator: ", "))
    out += isRegression ? "; a regression\n" : "\n"
    return out
  }

  /// The JSON `report --diff --format json` prints.
  public func json(before: ReportDocument, after: ReportDocument) -> JSON {
    func run(_ report: ReportDocument) -> JSON {
      .object([("run_id", .string(report.runID)), ("status", .string(report.status?.rawValue))])
    }
    func changes(_ items: [Change]) -> JSON {
      .array(
        items.map {
          .object([
            ("id", .string($0.id)), ("status", .string($0.status.rawValue)), ("ending", .string($0.ending)),
            ("before", .string($0.before.rawValue)),
          ])
        })
    }
    func timings(_ items: [Timing]) -> JSON {
      .array(
        items.map {
          .object([
            ("id", .string($0.id)), ("before_seconds", .double($0.before)),
            ("after_seconds", .double($0.after)),
          ])
        })
    }
    return .object([
      ("from", run(before)), ("to", run(after)),
      ("newly_failing", changes(newlyFailing)), ("fixed", changes(fixed)),
      ("still_failing", changes(stillFailing)),
      ("added", .array(added.map(JSON.string))), ("removed", .array(removed.map(JSON.string))),
      ("slower", timings(slower)), ("faster", timings(faster)),
      ("flaky", .array(flaky.map { .object([("id", .string($0.id)), ("attempts", .int($0.attempts))]) })),
      ("regression", .bool(isRegression)),
    ])
  }
}
