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
    switch JobRecordFile.read(path) {
    case nil: return
    case .failure:
      problem = "\(path) is damaged; jobs with inputs run again"
    case .success(let all):
      for (manifest, jobs) in all {
        for (id, value) in jobs {
          guard let fingerprint = value["fingerprint"]?.stringValue, let run = value["run"]?.stringValue
          else {
            continue
          }
          manifests[manifest, default: [:]][id] = Record(fingerprint: fingerprint, runID: run)
        }
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
    try JobRecordFile.write(
      manifests.mapValues { jobs in
        jobs.mapValues { .object([("fingerprint", .string($0.fingerprint)), ("run", .string($0.runID))]) }
      }, to: path)
  }
}
