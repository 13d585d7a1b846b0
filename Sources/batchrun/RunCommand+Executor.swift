import ArgumentParser
import BatchrunKit

extension RunCommand {
  /// Where the jobs run: `--executor`, else the manifest's `executor`, else local. An
  /// `--executor slurm` keeps the manifest's Slurm settings.
  func executorChoice(for manifest: Manifest) -> ExecutorChoice {
    switch executor {
    case .local: return .local
    case .slurm:
      if case .slurm(let settings) = manifest.executor { return .slurm(settings) }
      return .slurm(SlurmSettings())
    case nil: return manifest.executor ?? .local
    }
  }

  /// The executor for `choice`. For Slurm, checks first that the controller answers:
  /// when it does not, says why and exits 70, before anything is submitted.
  func makeExecutor(_ choice: ExecutorChoice, settings: RunSettings) async throws -> any JobExecutor {
    switch choice {
    case .local:
      // The tool starts nothing but jobs, so every child left at the end is a job's;
      // and it never changes directory.
      return LocalProcessExecutor(
        subreaper: true, sweepGrace: settings.killGrace, sweepsAllChildren: true, fixedWorkingDirectory: true)
    case .slurm(let slurm):
      do throws(SlurmFailure) {
        let cluster = try await SlurmExecutor.connect()
        return SlurmExecutor(
          settings: slurm, defaultTimeout: settings.defaultTimeout, accounting: cluster.accounting)
      } catch {
        Console.fail("\(error)")
        throw ExitCode(ExitStatus.software)
      }
    }
  }
}
