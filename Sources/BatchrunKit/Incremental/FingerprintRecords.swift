/// The fingerprint of each job's last success, per manifest, in
/// `<state-dir>/cache/fingerprints.json`: what makes a job with `inputs` up to date.
/// Written atomically at the end of a run; pruning never touches it.
struct FingerprintRecords: Sendable {
  /// A job's last success: its fingerprint and the run it was in.
  struct Record: Sendable, Equatable {
    var fingerprint: String
    var runID: String
  }

  let path: String
  /// manifest path -> job id -> record.
  private(set) var manifests: [String: [String: Record]] = [:]
  /// Why the file could not be read, if it is damaged.
  private(set) var problem: String?

  init(path: String) {
    self.path = path
    guard let bytes = try? FileBytes.read(path) else { return }
    guard case .object(let all)? = (try? JSONParser.parse(bytes))?["manifests"] else {
      problem = "\(path) is damaged; jobs with inputs run again"
      return
    }
    for (manifest, jobs) in all {
      guard case .object(let jobs) = jobs else { continue }
      for (id, value) in jobs {
        guard let fingerprint = value["fingerprint"]?.stringValue, let run = value["run"]?.stringValue else {
          continue
        }
        manifests[manifest, default: [:]][id] = Record(fingerprint: fingerprint, runID: run)
      }
    }
  }

  func record(manifest: String, job: String) -> Record? {
    manifests[manifest]?[job]
  }

  mutating func set(_ record: Record, manifest: String, job: String) {
    manifests[manifest, default: [:]][job] = record
  }

  func save() throws(SystemFailure) {
    let all = manifests.sorted { $0.key < $1.key }.map { manifest, jobs -> (String, JSON) in
      (
        manifest,
        .object(
          jobs.sorted { $0.key < $1.key }.map {
            (
              $0.key,
              .object([("fingerprint", .string($0.value.fingerprint)), ("run", .string($0.value.runID))])
            )
          })
      )
    }
    try RunStore.writeAtomically(
      JSON.object([("version", .int(1)), ("manifests", .object(all))]).rendered(pretty: true) + "\n", to: path
    )
  }
}
