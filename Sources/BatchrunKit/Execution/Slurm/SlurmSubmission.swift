/// One attempt as Slurm gets it: a script in the run dir that sets the job's environment
/// and runs its command, and the `sbatch` command line that submits it (README, "Running
/// on a Slurm cluster").
struct SlurmSubmission: Sendable {
  var launch: JobLaunch
  var runID: String
  /// Where the script is written.
  var scriptPath: String
  /// The attempt's timeout, if it has one: `--time` is the timeout plus the kill grace,
  /// rounded up to a minute, so that batchrun's own clock always acts first.
  var timeout: Duration?
  var settings: SlurmSettings
  var resources: SlurmResources?

  /// `batchrun:<run-id>:<job-id>`: how the run's jobs are found in `squeue`.
  var jobName: String { "batchrun:\(runID):\(launch.job.id)" }

  /// `sbatch --parsable` with batchrun's flags, the executor mapping's, `sbatch-args`, then
  /// the script.
  var arguments: [String] {
    var arguments = [
      "sbatch", "--parsable", "--job-name=\(jobName)",
      // `%` starts a filename pattern (%j...): a literal one is doubled.
      "--output=\(launch.logPath.replacing("%", with: "%%"))",
      "--chdir=\(launch.workingDirectory)", "--no-requeue",
    ]
    if let timeout { arguments.append("--time=\(Self.minutes(timeout + launch.killGrace))") }
    arguments += resources?.flags ?? []
    arguments += settings.flags
    arguments.append(scriptPath)
    return arguments
  }

  /// Whole minutes, rounded up, at least 1.
  static func minutes(_ duration: Duration) -> Int {
    let (seconds, attoseconds) = duration.components
    let whole = seconds + (attoseconds > 0 ? 1 : 0)
    return max(1, Int((whole + 59) / 60))
  }

  /// The script: exports the job's environment (but Slurm's own `SLURM_*` variables, which
  /// the node sets for the job), then `exec`s its command, so that a signal `scancel`
  /// sends reaches the command itself.
  var script: String {
    var lines = [
      "#!/bin/sh",
      "# batchrun run \(runID): job '\(launch.job.id)', attempt \(launch.attempt)",
    ]
    for entry in launch.environment {
      guard let equals = entry.firstIndex(of: "=") else { continue }
      let name = entry[..<equals]
      guard Self.isPortableName(name), !name.hasPrefix("SLURM_") else { continue }
      lines.append("export \(name)=\(ShellQuote.quote(String(entry[entry.index(after: equals)...])))")
    }
    lines.append("exec " + launch.arguments.map(ShellQuote.quote).joined(separator: " "))
    return lines.joined(separator: "\n") + "\n"
  }

  /// A name `export` takes: letters, digits and `_`, not starting with a digit.
  static func isPortableName(_ name: Substring) -> Bool {
    guard let first = name.utf8.first, !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) else {
      return false
    }
    return name.utf8.allSatisfy {
      $0 == UInt8(ascii: "_") || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0)
        || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0)
        || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0)
    }
  }
}
