import Synchronization

/// Counts the Slurm commands a run sends, by program: how hard batchrun polls the
/// controller, for the README's figures and the tests.
final class SlurmCallCounter: Sendable {
  private let counts = Mutex<[String: Int]>([:])

  init() {}

  /// Counts one call of `program` (a name or a path; its last component counts).
  func count(_ program: String) {
    let name = program.split(separator: "/").last.map(String.init) ?? program
    counts.withLock { $0[name, default: 0] += 1 }
  }

  /// The calls of `name` so far.
  func calls(of name: String) -> Int {
    counts.withLock { $0[name] ?? 0 }
  }
}
