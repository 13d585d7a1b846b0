@testable import BatchrunKit
import Glibc

extension SchedulerProperty {
  /// One generated job: its place in the DAG, its settings and its scripted attempts.
  struct GeneratedJob: Sendable {
    var id: String
    /// Indices of earlier jobs (so the graph is acyclic).
    var needs: [Int]
    var condition: Job.Condition
    var allowFailure: Bool
    var retries: Int
    var retryDelay: Duration
    var timeout: Duration?
    /// One per possible attempt (`retries + 1`).
    var attempts: [ScriptedAttempt]
  }

  /// A generated run: a DAG of 1-25 jobs with random settings and outcomes, a pool size,
  /// a failure policy and, perhaps, targets. The same seed gives the same case.
  struct Case: Sendable, CustomStringConvertible {
    var seed: UInt64
    var jobs: [GeneratedJob]
    var concurrency: Int
    var policy: FailurePolicy
    /// Job ids; empty for all jobs.
    var targets: [String]

    static let manifestPath = "/tmp/batchrun-property/manifest.yaml"

    static func generate(seed: UInt64, withTargets: Bool) -> Case {
      var random = Random(seed: seed)
      let count = random.int(in: 1...25)
      let density = random.pick([0.0, 0.05, 0.12, 0.25, 0.5, 0.9])
      let failureRate = random.pick([0.0, 0.05, 0.15, 0.3, 0.6])
      let hangRate = random.pick([0.0, 0.0, 0.04, 0.12])
      let allowRate = random.pick([0.0, 0.2, 0.5])
      let concurrency = random.int(in: 1...6)
      let policy = random.pick([FailurePolicy.stopStarting, .keepGoing, .failFast])
      var jobs: [GeneratedJob] = []
      for index in 0..<count {
        let needs = (0..<index).filter { _ in random.chance(density) }
        let roll = random.int(in: 0...99)
        let condition: Job.Condition = roll < 60 ? .onSuccess : roll < 80 ? .always : .onFailure
        let retries = random.pick([0, 0, 0, 1, 2])
        let retryDelay: Duration = random.chance(0.3) ? .milliseconds(random.int(in: 1...3)) : .zero
        var attempts: [ScriptedAttempt] = []
        for _ in 0...retries {
          let ending: Ending
          if random.chance(hangRate) {
            ending = .hangs
          } else if random.chance(failureRate) {
            ending = random.pick([.exits(1), .exits(2), .killed(SIGKILL), .killed(SIGSEGV), .failsToStart])
          } else {
            ending = .exits(0)
          }
          let duration: Duration = ending == .failsToStart ? .zero : .milliseconds(random.int(in: 0...3))
          attempts.append(ScriptedAttempt(ending: ending, duration: duration))
        }
        let timeout: Duration? =
          attempts.contains { $0.ending == .hangs }
          ? .milliseconds(random.int(in: 15...30))
          : random.chance(0.1) ? .seconds(30) : nil
        jobs.append(
          GeneratedJob(
            id: "j\(index)", needs: needs, condition: condition, allowFailure: random.chance(allowRate),
            retries: retries, retryDelay: retryDelay, timeout: timeout, attempts: attempts))
      }
      var targets: [String] = []
      if withTargets {
        for _ in 0..<random.int(in: 1...3) {
          let target = "j\(random.int(in: 0...(count - 1)))"
          if !targets.contains(target) { targets.append(target) }
        }
      }
      return Case(seed: seed, jobs: jobs, concurrency: concurrency, policy: policy, targets: targets)
    }

    var manifest: Manifest {
      Manifest(
        path: Self.manifestPath, directory: "/tmp/batchrun-property", name: "property",
        jobs: jobs.map { job in
          Job(
            id: job.id, command: .shell("scripted"), needs: job.needs.map { jobs[$0].id },
            timeout: job.timeout, retries: job.retries, retryDelay: job.retryDelay,
            allowFailure: job.allowFailure, condition: job.condition)
        })
    }

    var script: [String: [ScriptedAttempt]] {
      Dictionary(uniqueKeysWithValues: jobs.map { ($0.id, $0.attempts) })
    }

    /// The targets and everything they need, in manifest order; every job without targets.
    var selected: [Int] {
      guard !targets.isEmpty else { return Array(jobs.indices) }
      var included = [Bool](repeating: false, count: jobs.count)
      var stack = targets.map { target in jobs.firstIndex { $0.id == target }! }
      while let job = stack.popLast() {
        guard !included[job] else { continue }
        included[job] = true
        stack += jobs[job].needs
      }
      return jobs.indices.filter { included[$0] }
    }

    var description: String {
      var text =
        "seed \(Self.hex(seed)): \(jobs.count) jobs, concurrency \(concurrency), policy \(policy.rawValue)"
      if !targets.isEmpty { text += ", targets \(targets)" }
      for job in jobs {
        var line = "\n  \(job.id):"
        if !job.needs.isEmpty { line += " needs [\(job.needs.map { jobs[$0].id }.joined(separator: ","))]" }
        if job.condition != .onSuccess { line += " when \(job.condition.rawValue)" }
        if job.allowFailure { line += " allow-failure" }
        if job.retries > 0 { line += " retries \(job.retries) (delay \(job.retryDelay))" }
        if let timeout = job.timeout { line += " timeout \(timeout)" }
        line += " attempts \(job.attempts)"
        text += line
      }
      return text
    }

    static func hex(_ seed: UInt64) -> String { "0x" + String(seed, radix: 16) }
  }
}
