// Loads and validates a manifest with the BatchrunKit library, then prints its plan.
//
//     swift run ValidateManifest manifests/pipeline.yaml
import BatchrunKit
import Glibc

guard CommandLine.arguments.count == 2 else {
  print("usage: ValidateManifest MANIFEST")
  exit(64)
}
do {
  let manifest = try ManifestLoader.load(path: CommandLine.arguments[1])
  let plan = try Plan(manifest: manifest)
  print("\(manifest.name): \(manifest.jobs.count) jobs, critical path first:")
  for (number, wave) in plan.waves(concurrency: manifest.concurrency ?? 2).enumerated() {
    print("  wave \(number + 1): \(wave.map { manifest.jobs[$0].id }.joined(separator: ", "))")
  }
} catch {
  for line in error.messages { print(line) }
  exit(error.exitCode)
}
