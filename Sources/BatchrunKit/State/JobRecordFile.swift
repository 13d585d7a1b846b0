/// A file of `<state-dir>/cache/` that keeps one JSON value per job of each manifest:
/// `{"version": 1, "manifests": {MANIFEST-PATH: {JOB-ID: VALUE}}}`. Written atomically;
/// pruning never touches it. The fingerprints of successes and the jobs' durations live
/// in such files.
enum JobRecordFile {
  /// The values by manifest path and job id; `nil` when there is no file.
  /// - Returns: `.failure` with the reason when the file cannot be used.
  static func read(_ path: String) -> Result<[String: [String: JSON]], SystemFailure>? {
    let bytes: [UInt8]
    do throws(SystemFailure) {
      bytes = try FileBytes.read(path)
    } catch {
      return error.errno == .noSuchFileOrDirectory ? nil : .failure(error)
    }
    guard case .object(let all)? = (try? JSONParser.parse(bytes))?["manifests"] else {
      return .failure(SystemFailure("cannot use", path: path, reason: "it is damaged"))
    }
    var manifests: [String: [String: JSON]] = [:]
    for (manifest, jobs) in all {
      guard case .object(let jobs) = jobs else { continue }
      manifests[manifest] = Dictionary(jobs, uniquingKeysWith: { _, last in last })
    }
    return .success(manifests)
  }

  /// Writes `manifests` to `path` atomically, manifests and jobs sorted.
  static func write(_ manifests: [String: [String: JSON]], to path: String) throws(SystemFailure) {
    let all = manifests.sorted { $0.key < $1.key }.map { manifest, jobs in
      (manifest, JSON.object(jobs.sorted { $0.key < $1.key }))
    }
    try RunStore.writeAtomically(
      JSON.object([("version", .int(1)), ("manifests", .object(all))]).rendered(pretty: true) + "\n", to: path
    )
  }
}
