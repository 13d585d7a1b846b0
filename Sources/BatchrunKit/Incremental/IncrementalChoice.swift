/// What `run` takes as already done (docs/cli.md, "Incremental runs"): jobs whose
/// fingerprints are unchanged (the default), nothing (`--force`), or what an earlier run
/// did (`--resume`, `--from`).
public enum IncrementalChoice: Sendable, Equatable {
  case fingerprints
  case force
  /// `--resume [RUN-ID]`: `nil` for the latest run.
  case resume(runID: String?)
  /// `--from JOB`: these jobs and everything after them run; `runID` as for `resume`.
  case from(jobs: [String], runID: String?)

  /// Why the choice cannot be used: an unknown run or job (a usage error, exit 64).
  public struct Problem: Error, Sendable, CustomStringConvertible {
    public var description: String
  }

  /// The mode the run's ``UpToDate`` decides in, reading the earlier run from `store`.
  func mode(plan: Plan, store: RunStore) throws(Problem) -> UpToDate.Mode {
    switch self {
    case .fingerprints: return .fingerprints
    case .force: return .force
    case .resume(let runID):
      let (id, done) = try Self.earlier(runID, in: store)
      return .resume(runID: id, done: done)
    case .from(let names, let runID):
      let (id, done) = try Self.earlier(runID, in: store)
      var starts: [Int] = []
      for name in names {
        let ids = plan.manifest.jobIDs(named: name)
        let found = ids.compactMap { plan.graph.index[$0] }
        guard !found.isEmpty, found.count == ids.count else {
          let hint = Suggestion.didYouMean(name, in: plan.graph.jobs.map(\.id))
          throw Problem(description: "--from names no job of the manifest: '\(name)'\(hint)")
        }
        starts += found
      }
      // The --from jobs and everything downstream of them.
      var rerun = Set(starts)
      var work = starts
      while let job = work.popLast() {
        for dependent in plan.graph.dependents[job] where rerun.insert(dependent).inserted {
          work.append(dependent)
        }
      }
      return .from(runID: id, rerun: rerun, done: done)
    }
  }

  /// For `--dry-run`: which selected jobs would not run and why, one line each, then how
  /// many would run; nothing is written. Empty under `--force`.
  public func preview(plan: Plan, store: RunStore) -> String {
    guard self != .force, let mode = try? mode(plan: plan, store: store) else { return "" }
    let decider = UpToDate(
      plan: plan, runID: "", cache: store.stateDirectory + "/cache", mode: mode, warn: { _ in })
    var out = ""
    var running: Set<Int> = []
    for job in plan.graph.topologicalOrder() where plan.isSelected[job] {
      // A job after one that runs runs too: its need's fingerprint changes.
      if let reason = decider.reason(toSkip: job), plan.graph.needs[job].allSatisfy({ !running.contains($0) })
      {
        out += "up to date: \(plan.graph.jobs[job].id): \(reason)\n"
      } else {
        running.insert(job)
      }
    }
    // Nothing up to date: the waves say it all.
    guard !out.isEmpty else { return "" }
    return out
      + "would run: \(running.count) of \(plan.selected.count) job\(plan.selected.count == 1 ? "" : "s")\n"
  }

  /// Checks that the earlier run and the `--from` jobs exist, before anything starts.
  public func check(plan: Plan, store: RunStore) throws(Problem) {
    _ = try mode(plan: plan, store: store)
  }

  /// The earlier run (`nil`: the latest) and its jobs that succeeded or were up to date,
  /// with their fingerprints.
  private static func earlier(_ runID: String?, in store: RunStore) throws(Problem) -> (
    String, [String: String?]
  ) {
    let runs = store.runIDs()
    guard let id = runID ?? runs.last else {
      throw Problem(description: "\(store.stateDirectory) has no run to resume")
    }
    guard runs.contains(id) else {
      throw Problem(
        description: "no run '\(id)' in \(store.stateDirectory)\(Suggestion.didYouMean(id, in: runs))")
    }
    let document: ReportDocument
    do {
      document = try ReportLoader.load(store.runDirectory(id))
    } catch {
      throw Problem(description: "cannot resume run \(id): \(error)")
    }
    var done: [String: String?] = [:]
    for job in document.jobs where job.status.countsAsSuccess { done[job.id] = job.fingerprint }
    return (id, done)
  }
}
