/// Reads the records of `<state-dir>/cache/` (file hashes, fingerprints of successes) on
/// other threads from the moment the state directory is known, before the manifest is
/// read, so that a run where nothing changed does not wait for them.
public final class CacheReader: Sendable {
  /// `<state-dir>/cache`.
  let directory: String
  private let hashes: Task<FileHashes, Never>
  private let records: Task<FingerprintRecords, Never>

  /// Starts reading the records in `stateDirectory`'s cache.
  public init(stateDirectory: String) {
    let directory = stateDirectory + "/cache"
    self.directory = directory
    hashes = Task.detached { FileHashes(path: directory + "/files") }
    records = Task.detached { FingerprintRecords(path: directory + "/fingerprints.json") }
  }

  /// The file hashes, once read.
  var fileHashes: FileHashes {
    get async { await hashes.value }
  }

  /// The fingerprints of successes, once read.
  var fingerprintRecords: FingerprintRecords {
    get async { await records.value }
  }
}
