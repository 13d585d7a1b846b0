import Foundation

/// The single-node Slurm cluster of `scripts/slurm-test-cluster`, started once for the
/// Slurm tests (README, "Running on a Slurm cluster"): `SLURM_CONF` for the runs, and
/// `squeue` for looking at the queue behind batchrun's back.
enum SlurmTestCluster {
  /// `SLURM_CONF` of a cluster that takes jobs, or why there is none.
  static let configuration: Result<String, Failure> = start()

  struct Failure: Error, CustomStringConvertible {
    var description: String
  }

  /// Whether the Slurm tests can run.
  static var isAvailable: Bool {
    if case .success = configuration { return true }
    return false
  }

  /// Why they cannot, for the skip message.
  static var unavailableReason: String {
    if case .failure(let failure) = configuration { return failure.description }
    return ""
  }

  static var environment: [String: String] {
    guard case .success(let conf) = configuration else { return [:] }
    return ["SLURM_CONF": conf]
  }

  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()

  /// Starts the cluster with the project's script (it installs the packages when missing,
  /// and returns at once when the cluster is up already).
  ///
  /// Spawned and waited for by pid, its output in a file: `Foundation.Process` waits for
  /// a SIGCHLD that the reaper of the unit tests running in this same process may take
  /// first, and then never returns.
  private static func start() -> Result<String, Failure> {
    guard getuid() == 0 else { return .failure(Failure(description: "the test cluster needs root")) }
    let outputPath = NSTemporaryDirectory() + "batchrun-slurm-start-\(getpid()).out"
    defer { unlink(outputPath) }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
    let script = root.appendingPathComponent("scripts/slurm-test-cluster").path
    var pid = pid_t()
    let arguments: [UnsafeMutablePointer<CChar>?] = [strdup(script), strdup("start"), nil]
    defer { for argument in arguments { free(argument) } }
    let spawned = posix_spawn(&pid, script, &actions, nil, arguments, environ)
    guard spawned == 0 else {
      return .failure(
        Failure(description: "cannot run scripts/slurm-test-cluster: \(String(cString: strerror(spawned)))"))
    }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) == -1, errno == EINTR {}
    let exited = status & 0x7f == 0
    let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
    guard exited, (status >> 8) & 0xff == 0,
      let line = text.split(separator: "\n").first(where: { $0.hasPrefix("export SLURM_CONF=") })
    else {
      return .failure(
        Failure(
          description: "scripts/slurm-test-cluster start failed (status \(status)):"
            + " Slurm's Debian packages could not be installed or started here"))
    }
    return .success(String(line.dropFirst("export SLURM_CONF=".count)))
  }

  /// Runs a Slurm client (`/usr/bin/squeue`..., never a wrapper on `PATH`) and returns its output.
  static func client(_ program: String, _ arguments: [String]) async throws -> String {
    let result = try await BatchrunProcess.run(
      URL(fileURLWithPath: "/usr/bin/" + program), arguments, environment: environment, timeout: .seconds(30))
    return result.stdout
  }

  /// The ids of the jobs queued or running whose name holds `text` (a run id, `batchrun:`).
  static func activeJobs(named text: String) async throws -> [String] {
    try await client("squeue", ["-h", "-o", "%i|%j"]).split(separator: "\n").compactMap { line in
      let fields = line.split(separator: "|", maxSplits: 1)
      return fields.count == 2 && fields[1].contains(text) ? String(fields[0]) : nil
    }
  }
}
