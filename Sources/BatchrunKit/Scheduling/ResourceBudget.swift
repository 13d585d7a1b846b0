/// What running jobs hold, and whether another fits beside them: the `-j` cpu budget,
/// the `--memory` budget, each pool's depth and the GPU ids (docs/manifest.md,
/// "resources", "pools" and "Slots and devices").
///
/// A plain value the scheduler keeps under its lock. A job that could never fit (more
/// memory than the budget, more GPUs than there are ids) fits once nothing else runs,
/// so that no run waits forever.
public struct ResourceBudget: Sendable {
  /// The cpus jobs may hold at once: `-j N`.
  let cpus: Int
  /// The bytes jobs may hold at once; `nil` for no limit.
  let memory: Int?
  /// Each pool's depth.
  let pools: [String: Int]
  /// Every GPU id of the run, in order.
  let gpuIDs: [String]

  private var usedCpus = 0
  private var usedMemory = 0
  private var poolUse: [String: Int] = [:]
  private var freeGPUs: [String]
  private var running = 0

  init(cpus: Int, memory: Int? = nil, pools: [String: Int] = [:], gpuIDs: [String] = []) {
    self.cpus = max(1, cpus)
    self.memory = memory
    self.pools = pools
    self.gpuIDs = gpuIDs
    freeGPUs = gpuIDs
  }

  /// What `job` counts for: its cpus at most the budget, its GPUs at most the ids there are.
  func demand(of job: Job) -> JobResources {
    JobResources(
      cpus: min(max(1, job.resources.cpus), cpus), memory: job.resources.memory,
      gpus: min(job.resources.gpus, gpuIDs.count))
  }

  /// Whether `job` may start now.
  func fits(_ job: Job) -> Bool {
    if let pool = job.pool, let depth = pools[pool], poolUse[pool, default: 0] >= depth { return false }
    guard running > 0 else { return true }
    let need = demand(of: job)
    if usedCpus + need.cpus > cpus { return false }
    if let memory, need.memory > 0, usedMemory + need.memory > memory { return false }
    return need.gpus <= freeGPUs.count
  }

  /// Takes what `job` holds while it runs; returns its GPU ids.
  mutating func take(_ job: Job) -> [String] {
    let need = demand(of: job)
    usedCpus += need.cpus
    usedMemory += need.memory
    running += 1
    if let pool = job.pool { poolUse[pool, default: 0] += 1 }
    let gpus = Array(freeGPUs.prefix(need.gpus))
    freeGPUs.removeFirst(gpus.count)
    return gpus
  }

  /// Gives back what `job` held, `gpus` among it.
  mutating func release(_ job: Job, gpus: [String]) {
    let need = demand(of: job)
    usedCpus -= need.cpus
    usedMemory -= need.memory
    running -= 1
    if let pool = job.pool { poolUse[pool, default: 0] -= 1 }
    // Kept in the run's order, so that the lowest free ids go first.
    freeGPUs = gpuIDs.filter { freeGPUs.contains($0) || gpus.contains($0) }
  }

  /// Warnings about the selected jobs of `plan` asking for more than a run with
  /// `settings` has, once per job.
  public static func warnings(plan: Plan, settings: RunSettings) -> [String] {
    ResourceBudget(
      cpus: settings.concurrency, memory: settings.memory, pools: plan.manifest.pools,
      gpuIDs: settings.gpus ?? plan.manifest.gpus
    ).warnings(for: plan.selected.lazy.map { plan.graph.jobs[$0] })
  }

  func warnings(for jobs: some Sequence<Job>) -> [String] {
    var result: [String] = []
    for job in jobs {
      if job.resources.cpus > cpus {
        result.append(
          "job '\(job.id)' asks for \(job.resources.cpus) cpus, more than -j \(cpus): it is given \(cpus)")
      }
      if let memory, job.resources.memory > memory {
        result.append(
          "job '\(job.id)' asks for more memory than --memory allows (\(job.resources.memory) > \(memory) bytes):"
            + " it runs when nothing else does")
      }
      if job.resources.gpus > gpuIDs.count {
        result.append(
          "job '\(job.id)' asks for \(job.resources.gpus) gpus, but the run has \(gpuIDs.count)"
            + (gpuIDs.isEmpty ? " (set top-level 'gpus' or --gpus)" : "") + ": it is given \(gpuIDs.count)")
      }
    }
    return result
  }
}
