/// The top-level `executor`: `local`, `slurm`, or `{slurm: {partition, account, qos,
/// sbatch-args}}` (docs/manifest.md, `executor`).
extension ManifestDecoder {
  static let slurmKeys = ["partition", "account", "qos", "sbatch-args"]

  mutating func executor(_ node: YAMLNode) -> ExecutorChoice? {
    if case .scalar = node, !node.isNull {
      switch node.scalarText {
      case "local": return .local
      case "slurm": return .slurm(SlurmSettings())
      default:
        error(node.position, "unknown executor '\(node.scalarText ?? "")'; use local or slurm")
        return nil
      }
    }
    guard let entries = entries(of: node, what: "'executor'", duplicate: "key") else { return nil }
    guard entries.count == 1, let entry = entries.first, entry.key == "slurm" else {
      error(node.position, "'executor' must be local, slurm, or a mapping with the one key 'slurm'")
      return nil
    }
    var settings = SlurmSettings()
    if entry.value.isNull { return .slurm(settings) }
    for item in self.entries(of: entry.value, what: "'executor.slurm'", duplicate: "key") ?? [] {
      switch item.key {
      case "partition": settings.partition = string(item.value, "'partition'", allowEmpty: false)
      case "account": settings.account = string(item.value, "'account'", allowEmpty: false)
      case "qos": settings.qos = string(item.value, "'qos'", allowEmpty: false)
      case "sbatch-args":
        settings.sbatchArguments = stringList(item.value, "'sbatch-args'", allowScalar: false) ?? []
      default: unknownKey(item, context: "in 'executor.slurm'", known: Self.slurmKeys)
      }
    }
    return .slurm(settings)
  }
}
