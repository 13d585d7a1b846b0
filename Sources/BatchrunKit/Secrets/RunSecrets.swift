/// The values of a manifest's `secrets` in one run: from each selected job's environment
/// as it will be launched (the inherited environment, dotenv files and `env`), and which
/// are too short to mask (docs/manifest.md, "secrets").
public struct RunSecrets: Sendable {
  /// The secret names.
  let names: [String]
  /// Masks every value found.
  let masker: SecretMasker
  /// One line per secret whose value is too short to be masked.
  public let warnings: [String]

  public init(plan: Plan, inherited: [String: String] = Environment.current) {
    names = plan.manifest.secrets
    var values: [String] = []
    var short: [String] = []
    if !names.isEmpty {
      var base = inherited
      for variable in plan.manifest.environment { base[variable.name] = variable.value }
      var seen = Set<String>()
      for index in plan.selected {
        let job = plan.graph.jobs[index]
        for name in names {
          guard let value = job.environment.last(where: { $0.name == name })?.value ?? base[name],
            !value.isEmpty,
            seen.insert(value).inserted
          else { continue }
          if value.unicodeScalars.count < SecretMasker.minimumLength {
            if !short.contains(name) { short.append(name) }
          } else {
            values.append(value)
          }
        }
      }
    }
    masker = SecretMasker(values: values)
    warnings = short.map {
      "secret '\($0)' has a value shorter than \(SecretMasker.minimumLength) characters: it is not masked"
    }
  }

  /// Whether `launch`'s environment holds the value of a secret that is masked: its
  /// output then goes through batchrun (see ``SecretMaskingExecutor``).
  func holds(_ launch: JobLaunch) -> Bool {
    guard !masker.isEmpty else { return false }
    return launch.environmentEntries.contains { entry in
      names.contains { name in
        entry.count >= name.utf8.count + 2 + SecretMasker.minimumLength && entry.starts(with: name.utf8)
          && entry[name.utf8.count] == UInt8(ascii: "=")
      }
    }
  }
}
