/// Where jobs run: the manifest's `executor` and `--executor` (docs/manifest.md, `executor`).
public enum ExecutorChoice: Sendable, Equatable {
  /// Processes on this machine.
  case local
  /// Batch jobs on a Slurm cluster, submitted with these settings.
  case slurm(SlurmSettings)

  /// The names `--executor` and a scalar `executor:` take.
  static let names = ["local", "slurm"]
}
