// Micro-benchmarks of batchrun's hot paths, without processes:
//
//   swift run -c release BatchrunBenchmarks [--runs N] [--sizes 1000,10000,100000] [--jobs J]
//
// For each size n, on a generated layered DAG of n jobs (layers of 100, every job after
// the first layer needing 3 jobs of the layer before, as Benchmarks/scale.py's manifest):
//   load       ManifestLoader.load(bytes:path:): YAML, decoding, validation, the graph checks
//   plan       Plan(manifest:): the dependency graph and the critical-path priorities
//   waves      plan.waves(concurrency: J): the dry-run's start order
//   sched dag  Scheduler.run() with an executor that returns exit 0 at once (J workers,
//              no observers): the ready queue, the workers, the launches (environment,
//              log path), the results
//   sched flat the same on n jobs that need nothing (W1's shape)
// Each is run --runs times (default 5) and the median printed, as time per job: flat
// across sizes when the cost per job does not grow with the number of jobs.

import BatchrunKit

struct NoOpExecutor: JobExecutor {
  func execute(_ launch: JobLaunch, control: AttemptControl) async -> AttemptExit {
    let now = WallClock.now
    return AttemptExit(termination: .exited(0), startedAt: now, finishedAt: now, outputBytes: 0)
  }

  func killAll() {}

  func drain() async {}
}

/// A manifest of `count` jobs: layers of `width`, each job needing `needs` jobs of the
/// layer before (none when `needs` is 0).
func manifestText(jobs count: Int, width: Int = 100, needs: Int = 3) -> [UInt8] {
  var text = "version: 1\njobs:\n"
  text.reserveCapacity(count * 64)
  let spread = [0, 33, 67]
  for index in 0..<count {
    let layer = index / width
    let slot = index % width
    text += "  j\(layer)_\(slot):\n    run: \"true\"\n"
    if layer > 0, needs > 0 {
      let names = spread.prefix(needs).map { "j\(layer - 1)_\((slot + $0) % width)" }
      text += "    needs: [\(names.joined(separator: ", "))]\n"
    }
  }
  return Array(text.utf8)
}

func median(_ values: [Duration]) -> Duration {
  let sorted = values.sorted()
  return sorted[sorted.count / 2]
}

func microseconds(_ duration: Duration, per count: Int) -> String {
  let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
  let value = seconds * 1e6 / Double(count)
  let rounded = (value * 100).rounded() / 100
  return String(rounded)
}

/// Keeps results alive so that the optimiser cannot drop the work.
nonisolated(unsafe) var sink = 0

func option(_ name: String) -> String? {
  let arguments = CommandLine.arguments
  guard let at = arguments.firstIndex(of: name), at + 1 < arguments.count else { return nil }
  return arguments[at + 1]
}

let runs = option("--runs").flatMap(Int.init) ?? 5
let sizes = (option("--sizes") ?? "1000,10000,100000").split(separator: ",").compactMap { Int($0) }
let concurrency = option("--jobs").flatMap(Int.init) ?? 8
let clock = ContinuousClock()
let environment = Environment.current

func load(_ bytes: [UInt8], _ count: Int) -> Manifest {
  do {
    return try ManifestLoader.load(bytes: bytes, path: "/tmp/batchrun-micro-\(count).yaml")
  } catch {
    fatalError("the generated manifest does not load: \(error)")
  }
}

func plan(_ manifest: Manifest) -> Plan {
  do {
    return try Plan(manifest: manifest)
  } catch {
    fatalError("cannot plan: \(error)")
  }
}

func schedule(_ plan: Plan) async -> Duration {
  let launches = LaunchFactory(
    manifest: plan.manifest, runID: "micro", runDirectory: "/tmp/batchrun-micro", killGrace: .seconds(10),
    inherited: environment)
  let scheduler = Scheduler(
    plan: plan, settings: RunSettings(concurrency: concurrency), executor: NoOpExecutor(),
    launches: launches)
  let start = clock.now
  let outcome = await scheduler.run()
  let elapsed = clock.now - start
  precondition(outcome.results.allSatisfy { $0.status == .succeeded }, "a job did not succeed")
  sink &+= outcome.results.count
  return elapsed
}

print("batchrun micro-benchmarks: median of \(runs) runs, microseconds per job, J=\(concurrency)")
print("")
print("| jobs | load | plan | waves | sched dag | sched flat |")
print("|---|---|---|---|---|---|")
for count in sizes {
  let dagBytes = manifestText(jobs: count)
  let flatBytes = manifestText(jobs: count, needs: 0)
  var loadTimes: [Duration] = []
  var planTimes: [Duration] = []
  var waveTimes: [Duration] = []
  var dagTimes: [Duration] = []
  var flatTimes: [Duration] = []
  let flatPlan = plan(load(flatBytes, count))
  for _ in 0..<runs {
    var manifest: Manifest?
    loadTimes.append(clock.measure { manifest = load(dagBytes, count) })
    var planned: Plan?
    planTimes.append(clock.measure { planned = plan(manifest!) })
    waveTimes.append(clock.measure { sink &+= planned!.waves(concurrency: concurrency).count })
    dagTimes.append(await schedule(planned!))
    flatTimes.append(await schedule(flatPlan))
  }
  let cells = [loadTimes, planTimes, waveTimes, dagTimes, flatTimes].map {
    microseconds(median($0), per: count)
  }
  print("| \(count) | \(cells.joined(separator: " | ")) |")
}
if sink == 42 { print("") }

// Secret masking alone, in memory: 256 MiB through a masking stream in 1 MiB pieces, with
// no value in it and with one in every 64-byte line (docs/manifest.md, "secrets").
let masker = SecretMasker(values: ["s3cr3t-Value_42x"])
let plainLine = Array("plain text, no secret in it: just bytes to write out here here\n".utf8)
let secretLine = Array((String(repeating: "x", count: 47) + " s3cr3t-Value_42x\n").utf8)
print("")
print("| masking 256 MiB | MB/s, median of \(runs) |")
print("|---|---|")
for (name, line) in [("no value", plainLine), ("a value per 64-byte line", secretLine)] {
  let piece = Array(repeating: line, count: (1 << 20) / line.count).flatMap { $0 }
  var times: [Duration] = []
  for _ in 0..<runs {
    var stream = SecretMasker.Stream(masker)
    var out = 0
    times.append(
      clock.measure {
        for _ in 0..<256 { stream.feed(piece) { out &+= $0.count } }
        stream.finish { out &+= $0.count }
      })
    sink &+= out
  }
  let seconds = Double(median(times).components.attoseconds) / 1e18 + Double(median(times).components.seconds)
  print("| \(name) | \(Int(Double(256 * piece.count) / 1e6 / seconds)) |")
}
