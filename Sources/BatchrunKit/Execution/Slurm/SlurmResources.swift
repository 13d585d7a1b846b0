/// What a job asks of a node: cpus, memory and GPUs, as `sbatch` flags.
public struct SlurmResources: Sendable, Equatable {
  /// `--cpus-per-task`, if given.
  public var cpus: Int?
  /// `--mem` in bytes (sent in MiB, rounded up), if given; 0 means no limit.
  public var memory: Int?
  /// `--gres=gpu:N`, if given; 0 asks for none.
  public var gpus: Int?

  public init(cpus: Int? = nil, memory: Int? = nil, gpus: Int? = nil) {
    self.cpus = cpus
    self.memory = memory
    self.gpus = gpus
  }

  /// `--cpus-per-task=N`, `--mem=NM`, `--gres=gpu:N`, for the values given.
  public var flags: [String] {
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
