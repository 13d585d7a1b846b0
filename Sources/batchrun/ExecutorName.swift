import ArgumentParser

/// `--executor local|slurm`: where jobs run (README, "Running on a Slurm cluster").
enum ExecutorName: String, ExpressibleByArgument, CaseIterable, Sendable {
  case local
  case slurm
}
