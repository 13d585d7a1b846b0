import ArgumentParser
import BatchrunKit

/// `batchrun validate`: check manifests, print every problem, run nothing.
struct ValidateCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "validate",
    abstract: "Check manifests and print every problem; run nothing."
  )

  @Argument(help: "The manifests to check.")
  var manifests: [String]

  @OptionGroup var options: ManifestOptions

  @Flag(name: .shortAndLong, help: "Print nothing for valid manifests.")
  var quiet = false

  func validate() throws {
    guard !manifests.isEmpty else { throw ValidationError("Give at least one manifest to validate.") }
  }

  func run() throws {
    var worst: Int32 = 0
    for path in manifests {
      do {
        let manifest = try ManifestLoader.load(path: path, variables: options.overrides)
        if !quiet {
          Console.out("\(path): ok (\(manifest.jobs.count) job\(manifest.jobs.count == 1 ? "" : "s"))\n")
        }
      } catch {
        // 66 (unreadable) outranks 65 (invalid) when files fail differently.
        worst = max(worst, Console.report(error, color: options.color))
      }
    }
    if worst != 0 { throw ExitCode(worst) }
  }
}
