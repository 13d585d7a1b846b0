import Glibc
import Synchronization

/// Decides which jobs need not run, from fingerprints (docs/cli.md, "Incremental runs").
///
/// A job's fingerprint is a SHA-256 over its command (with its shell), its working
/// directory, the environment the manifest and its dotenv files set, the content of every
/// file its `inputs` match, and its needs' fingerprints. It is computed when the job is
/// about to start, after its needs have run, so that inputs they write count.
///
/// The files of jobs whose needs did not run are looked up before anything runs, on as
/// many threads as the run has workers (``readAhead(_:workers:)``); a job that a job it
/// needs (or one they need) ran before it looks again when it is about to start.
///
/// - By default a job with `inputs` is up to date when its fingerprint is the one of its
///   last success in this state directory and its `outputs` all exist.
/// - `--force` runs everything.
/// - `--resume` takes a job as done when it succeeded (or was up to date) in that run with
///   the fingerprint it has now; `--from` runs its jobs and everything after them, and
///   takes the rest as done when they succeeded in that run.
final class UpToDate: Sendable {
  /// What counts as done.
  enum Mode: Sendable {
    case fingerprints
    case force
    /// The earlier run's jobs that succeeded or were up to date, by id, with their fingerprints.
    case resume(runID: String, done: [String: String?])
    /// Jobs that run whatever happened before (the `--from` jobs and all after them), and
    /// the earlier run's successes.
    case from(runID: String, rerun: Set<Int>, done: [String: String?])
  }

  private let graph: DependencyGraph
  private let manifest: Manifest
  private let runID: String
  private let mode: Mode
  private let cache: String
  private let warn: @Sendable (String) -> Void
  private let state: Mutex<State>

  private struct State {
    var fingerprints: [Int: String] = [:]
    /// The fingerprints of successes, once read.
    var records: FingerprintRecords?
    /// Whether a success was recorded, so that the records are written back.
    var recorded = false
    /// The inputs found by ``prefetch(_:workers:)``, by job.
    var prefetched: [Int: Inputs] = [:]
    /// Whether each job's `outputs` all existed when its fingerprint was taken.
    var outputsExisted: [Int: Bool] = [:]
    /// The recorded file hashes, once read.
    var hashes: FileHashes?
    /// ``readAhead(_:workers:)`` under way.
    var readingAhead: Task<Void, Never>?
    /// The jobs that run, and those after them: their dependents look at their inputs again.
    var touched: Set<Int> = []
  }

  /// A job's inputs as found: the digest of their paths and contents, the patterns that
  /// matched no file, and whether its `outputs` all existed.
  private struct Inputs: Sendable {
    var digest: SIMD32<UInt8>
    var unmatched: [String]
    var outputsExist: Bool
  }
  /// The manifest's absolute path: the records' key.
  private let manifestKey: String

  /// - Parameters:
  ///   - cache: `<state-dir>/cache`, where the records live (created when they are saved).
  ///   - warn: hears problems worth a warning: a damaged cache, a glob matching nothing.
  init(
    plan: Plan, runID: String, cache: String, mode: Mode, warn: @escaping @Sendable (String) -> Void
  ) {
    graph = plan.graph
    manifest = plan.manifest
    self.runID = runID
    self.mode = mode
    self.warn = warn
    self.cache = cache
    manifestKey = plan.manifest.absolutePath
    state = Mutex(State())
  }

  /// Starts reading the records (or taking them from `reader`, which has been reading
  /// them already), then looking up the inputs of `jobs` (``prefetch(_:workers:)``), on
  /// other threads while the run gets ready; ``ready()`` waits for them. Without it, the
  /// records are read when first needed.
  func readAhead(_ jobs: [Int], workers: Int, reader: CacheReader? = nil) {
    let cache = cache
    let task = Task.detached {
      if let reader, reader.directory == cache {
        self.keep(await reader.fileHashes, await reader.fingerprintRecords)
      } else {
        self.keep(FileHashes(path: cache + "/files"), FingerprintRecords(path: cache + "/fingerprints.json"))
      }
      await self.prefetch(jobs, workers: workers)
    }
    state.withLock { $0.readingAhead = task }
  }

  /// Returns once what ``readAhead(_:workers:)`` started is done.
  func ready() async {
    await state.withLock { $0.readingAhead }?.value
  }

  /// Looks up the inputs of `jobs` with `workers` threads at once, before any job runs,
  /// for those whose files' digests are all known (the files are not read here: the
  /// first run hashes them when their jobs are about to start, as ever).
  private func prefetch(_ jobs: [Int], workers: Int) async {
    if case .force = mode { return }
    let candidates = jobs.filter { !graph.jobs[$0].inputs.isEmpty }
    guard !candidates.isEmpty else { return }
    let workers = max(1, min(workers, candidates.count))
    let found = await withTaskGroup(of: [(Int, Inputs)].self) { group in
      for worker in 0..<workers {
        group.addTask {
          stride(from: worker, to: candidates.count, by: workers).compactMap { position in
            self.inputs(of: candidates[position], cachedOnly: true).map { (candidates[position], $0) }
          }
        }
      }
      var all: [(Int, Inputs)] = []
      for await part in group { all += part }
      return all
    }
    state.withLock { state in
      for (job, inputs) in found { state.prefetched[job] = inputs }
    }
  }

  /// Reads the records now if they were not read ahead (``preview`` reads nothing ahead).
  private func readIfNeeded() {
    guard state.withLock({ $0.hashes == nil }) else { return }
    keep(FileHashes(path: cache + "/files"), FingerprintRecords(path: cache + "/fingerprints.json"))
  }

  /// The recorded file hashes.
  private var hashes: FileHashes {
    readIfNeeded()
    return state.withLock { $0.hashes! }
  }

  /// Calls `body` with the fingerprints of successes, under the lock.
  private func withRecords<T>(_ body: (inout FingerprintRecords) -> T) -> T {
    readIfNeeded()
    return state.withLock { body(&$0.records!) }
  }

  /// Keeps what was read unless something was kept already, and warns once of what is
  /// damaged.
  private func keep(_ hashes: FileHashes, _ records: FingerprintRecords) {
    let isNew = state.withLock { state in
      guard state.hashes == nil else { return false }
      (state.hashes, state.records) = (hashes, records)
      return true
    }
    guard isNew else { return }
    for problem in [hashes.problem, records.problem].compactMap({ $0 }) { warn(problem) }
  }

  /// What a job without `inputs` has: nothing to look up, and its outputs do not count.
  private static let none = Inputs(digest: SHA256.digest([]), unmatched: [], outputsExist: false)

  /// The inputs of the job at `index` as they are now; with `cachedOnly`, `nil` when a
  /// file's content would have to be read.
  private func inputs(of index: Int, cachedOnly: Bool) -> Inputs? {
    let job = graph.jobs[index]
    // Every job is fingerprinted as it starts: one without inputs costs no lookup.
    guard !job.inputs.isEmpty else { return Self.none }
    let directory = manifest.workingDirectory(for: job)
    let inside = directory.hasSuffix("/") ? directory : directory + "/"
    let hashes = hashes
    var text: [UInt8] = []
    var unmatched: [String] = []
    for pattern in job.inputs {
      let files = InputGlob.matches(pattern, in: directory)
      if files.isEmpty { unmatched.append(pattern) }
      for file in files {
        // The path (relative to the cwd when inside it), then `=` and the content's
        // 32-byte digest, or `unreadable`: paths hold no NUL.
        text.append(
          contentsOf: file.path.hasPrefix(inside)
            ? file.path.utf8.dropFirst(inside.utf8.count) : file.path.utf8[...])
        text.append(0)
        if let digest = cachedOnly ? hashes.cachedDigest(of: file) : hashes.digest(of: file) {
          text.append(UInt8(ascii: "="))
          for i in 0..<32 { text.append(digest[i]) }
        } else if cachedOnly {
          return nil
        } else {
          text.append(contentsOf: "unreadable".utf8)
        }
        text.append(0x0A)
      }
    }
    return Inputs(digest: SHA256.digest(text), unmatched: unmatched, outputsExist: outputsExist(job))
  }

  /// The fingerprint of the job at `index`, computed once.
  func fingerprint(of index: Int) -> String {
    if let known = state.withLock({ $0.fingerprints[index] }) { return known }
    let needs = graph.needs[index].map { (graph.jobs[$0].id, fingerprint(of: $0)) }
    let job = graph.jobs[index]
    var text: [UInt8] = []
    func add(_ fields: [String]) {
      for field in fields {
        text.append(contentsOf: field.utf8)
        text.append(0)
      }
      text.append(0x0A)
    }
    switch job.command {
    case .shell(let script): add(["shell"] + (job.shell ?? manifest.shell) + [script])
    case .argv(let argv): add(["argv"] + argv)
    }
    add(["cwd", manifest.workingDirectory(for: job)])
    var environment: [String: String] = [:]
    for variable in manifest.environment + job.environment { environment[variable.name] = variable.value }
    for (name, value) in environment.sorted(by: { $0.key < $1.key }) { add(["env", name, value]) }
    // What was found before anything ran holds unless a job this one needs (or one they
    // need) ran since: it may have written these inputs.
    let prefetched = state.withLock { state -> Inputs? in
      if graph.needs[index].contains(where: { state.touched.contains($0) }) { state.touched.insert(index) }
      return state.touched.contains(index) ? nil : state.prefetched[index]
    }
    let inputs = prefetched ?? self.inputs(of: index, cachedOnly: false)!
    for pattern in inputs.unmatched { warn("job '\(job.id)': input '\(pattern)' matches no file") }
    text.append(contentsOf: "inputs\0".utf8)
    for i in 0..<32 { text.append(inputs.digest[i]) }
    text.append(0x0A)
    for (id, need) in needs { add(["need", id, need]) }
    let result = SHA256.hex(text)
    state.withLock {
      $0.fingerprints[index] = result
      $0.outputsExisted[index] = inputs.outputsExist
    }
    return result
  }

  /// Why the job at `index` need not run, or `nil` if it must (and then it runs: jobs
  /// after it look at their inputs again).
  func reason(toSkip index: Int) -> String? {
    let reason = decide(index)
    if reason == nil { state.withLock { _ = $0.touched.insert(index) } }
    return reason
  }

  private func decide(_ index: Int) -> String? {
    let job = graph.jobs[index]
    switch mode {
    case .force:
      return nil
    case .fingerprints:
      guard !job.inputs.isEmpty else { return nil }
      let current = fingerprint(of: index)
      guard let record = withRecords({ $0.record(manifest: manifestKey, job: job.id) }),
        record.fingerprint == current, state.withLock({ $0.outputsExisted[index] == true })
      else { return nil }
      return "unchanged since run \(record.runID)"
    case .resume(let earlier, let done):
      guard let recorded = done[job.id], recorded == fingerprint(of: index) else { return nil }
      return "succeeded in run \(earlier)"
    case .from(let earlier, let rerun, let done):
      guard !rerun.contains(index), done[job.id] != nil else { return nil }
      return "succeeded in run \(earlier)"
    }
  }

  /// Records a job's success: its fingerprint becomes the one it is compared with next time.
  func succeeded(_ index: Int) {
    let job = graph.jobs[index]
    guard !job.inputs.isEmpty else { return }
    let current = fingerprint(of: index)
    withRecords { $0.set(.init(fingerprint: current, runID: runID), manifest: manifestKey, job: job.id) }
    state.withLock { $0.recorded = true }
  }

  /// The fingerprint computed for the job at `index`, if it was.
  func computed(_ index: Int) -> String? {
    state.withLock { $0.fingerprints[index] }
  }

  /// Writes back the records (when a job with `inputs` succeeded) and the file hashes
  /// (when one was new): a manifest without `inputs` leaves no `cache` directory.
  func save() throws(SystemFailure) {
    let (records, recorded) = state.withLock { ($0.records, $0.recorded) }
    if recorded, let records {
      try RunStore.makeDirectories(cache)
      try records.save()
    }
    try state.withLock { $0.hashes }?.save(in: cache)
  }

  private func outputsExist(_ job: Job) -> Bool {
    let directory = manifest.workingDirectory(for: job)
    return job.outputs.allSatisfy { output in
      var info = stat()
      return stat(output.hasPrefix("/") ? output : directory + "/" + output, &info) == 0
    }
  }
}
