// subprocesspool: the least a runner built on swift-subprocess can cost.
//
// spawnpool.c again, but every job is started and awaited with `Subprocess.run`: J
// tasks, each taking the next ready line of JOBFILE and running `/bin/sh -c LINE` with
// stdin, stdout and stderr on /dev/null (the benchmark lines redirect to their own
// logs); needs are counted down as in spawnpool. No log files, journal or report. The
// environment is this process's, rendered once as the NUL-terminated entries
// swift-subprocess takes (`.inherit` would read and copy it again for every spawn).
//
//     subprocesspool [--session] -j J JOBFILE
//
// JOBFILE is spawnpool's: "NEEDS<TAB>LINE" per job, NEEDS "-" or 1-based line numbers.
// `--session` adds what batchrun asks of each spawn: a new session, and SIGTERM to the
// process group as the teardown. Exit status: 0 when every job exited 0, else 1.
import Glibc
import Subprocess
import Synchronization

/// J tasks running the jobs, and the jobs' needs counted down.
final class Pool: Sendable {
  /// Jobs whose needs are all done, and parked tasks.
  struct State {
    var ready: [Int] = []
    var waiting: [Int]
    var finished = 0
    var failed = false
    var parked: [CheckedContinuation<Void, Never>] = []
  }

  let state: Mutex<State>
  let jobs: [String]
  let dependents: [[Int]]
  let options: PlatformOptions
  let environment: [[UInt8]]

  init(jobs: [String], needs: [[Int]], dependents: [[Int]], options: PlatformOptions) {
    var initial = State(waiting: needs.map(\.count))
    initial.ready = initial.waiting.indices.filter { initial.waiting[$0] == 0 }.reversed()
    self.state = Mutex(initial)
    self.jobs = jobs
    self.dependents = dependents
    self.options = options
    var environment: [[UInt8]] = []
    var entry = environ
    while let text = entry.pointee {
      environment.append(
        Array(UnsafeBufferPointer(start: text, count: strlen(text) + 1)).map(UInt8.init(bitPattern:)))
      entry += 1
    }
    self.environment = environment
  }

  func run(width: Int) async {
    await withTaskGroup(of: Void.self) { group in
      for _ in 0..<min(width, jobs.count) {
        group.addTask {
          while let job = await self.next() {
            let status = try? await Subprocess.run(
              .path("/bin/sh"), arguments: ["-c", self.jobs[job]], environment: .custom(self.environment),
              platformOptions: self.options,
              input: .none, output: .discarded, error: .discarded
            ).terminationStatus
            self.finish(job, succeeded: status == .exited(0))
          }
        }
      }
    }
  }

  /// The next ready job, parking until there is one; nil once all are done or one failed.
  private func next() async -> Int? {
    enum Step {
      case run(Int)
      case park
      case done
    }
    while true {
      let step = state.withLock { state -> Step in
        if state.failed || state.finished == jobs.count { return .done }
        if let job = state.ready.popLast() { return .run(job) }
        return .park
      }
      switch step {
      case .run(let job): return job
      case .done: return nil
      case .park:
        await withCheckedContinuation { continuation in
          let resume = state.withLock { state -> Bool in
            if !state.ready.isEmpty || state.failed || state.finished == jobs.count { return true }
            state.parked.append(continuation)
            return false
          }
          if resume { continuation.resume() }
        }
      }
    }
  }

  private func finish(_ job: Int, succeeded: Bool) {
    let parked = state.withLock { state -> [CheckedContinuation<Void, Never>] in
      state.finished += 1
      if succeeded {
        for dependent in dependents[job] {
          state.waiting[dependent] -= 1
          if state.waiting[dependent] == 0 { state.ready.insert(dependent, at: 0) }
        }
      } else {
        state.failed = true
      }
      defer { state.parked = [] }
      return state.parked
    }
    for continuation in parked { continuation.resume() }
  }
}

@main
struct SubprocessPool {

  static func main() async {
    var arguments = Array(CommandLine.arguments.dropFirst())
    let session = arguments.first == "--session"
    if session { arguments.removeFirst() }
    guard arguments.count == 3, arguments[0] == "-j", let width = Int(arguments[1]), width > 0,
      let file = fopen(arguments[2], "r")
    else { usage() }
    var lines: [String] = []
    var needs: [[Int]] = []
    var buffer: UnsafeMutablePointer<CChar>?
    var capacity = 0
    while getline(&buffer, &capacity, file) > 0 {
      var line = String(cString: buffer!)
      if line.hasSuffix("\n") { line.removeLast() }
      var jobNeeds: [Int] = []
      if let tab = line.firstIndex(of: "\t") {
        jobNeeds = line[..<tab].split(separator: ",").compactMap { Int($0).map { $0 - 1 } }
        line = String(line[line.index(after: tab)...])
      }
      lines.append(line)
      needs.append(jobNeeds)
    }
    var dependents = [[Int]](repeating: [], count: lines.count)
    for (job, jobNeeds) in needs.enumerated() {
      for need in jobNeeds { dependents[need].append(job) }
    }
    var platformOptions = PlatformOptions()
    if session {
      platformOptions.createSession = true
      platformOptions.teardownSequence = [
        .send(signal: .terminate, toProcessGroup: true, allowedDurationToNextStep: .seconds(2))
      ]
    }
    let pool = Pool(jobs: lines, needs: needs, dependents: dependents, options: platformOptions)
    await pool.run(width: width)
    exit(pool.state.withLock { $0.failed || $0.finished < lines.count } ? 1 : 0)
  }

  static func usage() -> Never {
    let text = "usage: subprocesspool [--session] -j J JOBFILE\n"
    _ = text.withCString { write(2, $0, strlen($0)) }
    exit(2)
  }
}
