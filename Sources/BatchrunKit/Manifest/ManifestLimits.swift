/// The range of every number a manifest holds, checked by validation and stated in
/// README.md's manifest reference (and `schemas/manifest.schema.json`).
///
/// Validated values are safe for any arithmetic the scheduler does on them: no value in
/// range can overflow `Int`.
enum ManifestLimits {
  /// `version`: only 1.
  static let version = 1...1
  /// `concurrency`: jobs run at once (far more than any machine starts usefully; `-j` is
  /// not bound by it).
  static let concurrency = 1...100_000
  /// `retries`: extra attempts after a failure or timeout.
  static let retries = 0...1000
  /// Combinations one `matrix` may give, before `exclude` and `include`.
  static let matrixJobs = 100_000
}
