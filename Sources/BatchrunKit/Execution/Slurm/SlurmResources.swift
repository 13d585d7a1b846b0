/// What a job asks of a node: cpus, memory and GPUs, as `sbatch` flags.
public struct SlurmResources: Sendable, Equatable {
  /// `--cpus-per-task`, if given.
  var cpus: Int?
  /// `--mem` in bytes (sent in MiB, rounded up), if given; 0 means no limit.
  var memory: Int?
  /// `--gres=gpu:N`, if given; 0 asks for none.
  var gpus: Int?

  init(cpus: Int? = nil, memory: Int? = nil, gpus: Int? = nil) {
    self.cpus = cpus
    self.memory = memory
    self.gpus = gpus
  }

  /// What `job`'s `resources` ask for.
  public static func of(_ job: Job) -> SlurmResources {
    SlurmResources(cpus: job.resources.cpus, memory: job.resources.memory, gpus: job.resources.gpus)
  }

  /// `--cpus-per-task=N`, `--mem=NM`, `--gres=gpu:N`, for the values given.
  var flags: [String] {
    var flags: [String] = []
    if let cpus, cpus > 0 { flags.append("--cpus-per-task=\(cpus)") }
    if let memory, memory > 0 {
      let mebibyte = 1 << 20
      flags.append("--mem=\(memory / mebibyte + (memory % mebibyte == 0 ? 0 : 1))M")
    }
    if let gpus, gpus > 0 { flags.append("--gres=gpu:\(gpus)") }
    return flags
  }
}
