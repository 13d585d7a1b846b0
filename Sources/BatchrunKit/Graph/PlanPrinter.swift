/// Text for `--dry-run`: the order jobs would start in, in waves.
public enum PlanPrinter {
  /// The dry run at `concurrency`, with `memory` and `gpus` as ``Plan/waves(concurrency:memory:gpus:)`` takes them.
  public static func dryRun(_ plan: Plan, concurrency: Int, memory: Int? = nil, gpus: [String]? = nil)
    -> String
  {
    let jobs = plan.graph.jobs
    let waves = plan.waves(concurrency: concurrency, memory: memory, gpus: gpus)
    let count = plan.selected.count
    var out =
      "dry run of '\(plan.manifest.name)': \(count) job\(count == 1 ? "" : "s") in \(waves.count)"
      + " wave\(waves.count == 1 ? "" : "s") at -j \(concurrency); nothing is run\n"
    let width = min(40, plan.selected.map { jobs[$0].id.count }.max() ?? 0)
    for (number, wave) in waves.enumerated() {
      out += "wave \(number + 1):\n"
      for job in wave {
        let id = jobs[job].id
        out +=
          "  \(id)\(String(repeating: " ", count: max(0, width - id.count)))  \(commandLine(jobs[job]))\n"
      }
    }
    return out
  }

  /// The job's command on one line, as a user would type it.
  static func commandLine(_ job: Job) -> String {
    switch job.command {
    case .shell(let text):
      text.split(separator: "\n", omittingEmptySubsequences: true).joined(separator: "; ")
    case .argv(let argv): argv.map(ShellQuote.quote).joined(separator: " ")
    }
  }
}
