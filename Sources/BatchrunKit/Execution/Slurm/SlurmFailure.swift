/// Slurm itself failing batchrun: no client commands, a controller that does not answer,
/// a submission refused for a reason no job's flags explain. The run exits 70 and no job
/// is blamed for it.
public struct SlurmFailure: Error, CustomStringConvertible, Sendable {
  /// What went wrong.
  enum Code: Sendable, Equatable {
    /// `sbatch`, `squeue`, `scancel` or `scontrol` is not on `PATH`.
    case missingCommand
    /// The controller did not answer, or answered with an error about itself.
    case unreachable
    /// `sbatch` printed no job id.
    case unreadableAnswer
  }

  var code: Code
  /// Slurm's own words, or batchrun's when Slurm had none.
  var message: String

  init(_ code: Code, _ message: String) {
    self.code = code
    self.message = message
  }

  public var description: String { "cannot use Slurm: \(message)" }

  /// Whether `sbatch`'s error `message` is about the cluster or the connection to it rather
  /// than about one job's flags (an unknown partition, too much memory...).
  static func isAboutSlurm(_ message: String) -> Bool {
    let text = message.lowercased()
    return [
      "unable to contact slurm controller", "could not establish a configuration source",
      "socket timed out", "zero bytes were transmitted", "communication connection failure",
      "connection refused", "munge", "authentication", "slurm controller not responding",
      "unable to establish controller", "slurm_persist_conn", "temporarily unable to accept job",
      "unable to resolve", "fetch_config", "no route to host",
    ].contains { text.contains($0) }
  }
}
