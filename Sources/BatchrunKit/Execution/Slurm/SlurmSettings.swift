/// The manifest's `executor: {slurm: {...}}` mapping: where and how jobs are submitted
/// (docs/manifest.md, `executor`).
public struct SlurmSettings: Sendable, Equatable {
  /// `--partition`, if set.
  var partition: String?
  /// `--account`, if set.
  var account: String?
  /// `--qos`, if set.
  var qos: String?
  /// More `sbatch` arguments, passed verbatim after batchrun's own.
  var sbatchArguments: [String]

  public init(
    partition: String? = nil, account: String? = nil, qos: String? = nil, sbatchArguments: [String] = []
  ) {
    self.partition = partition
    self.account = account
    self.qos = qos
    self.sbatchArguments = sbatchArguments
  }

  /// The mapping's flags, in the order `sbatch` gets them: partition, account, qos, then
  /// `sbatch-args` verbatim.
  var flags: [String] {
    var flags: [String] = []
    if let partition { flags.append("--partition=\(partition)") }
    if let account { flags.append("--account=\(account)") }
    if let qos { flags.append("--qos=\(qos)") }
    return flags + sbatchArguments
  }
}
