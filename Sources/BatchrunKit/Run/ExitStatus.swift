/// batchrun's exit codes, as docs/cli.md ("Exit codes") lists them (the `sysexits.h`
/// values where one fits).
public enum ExitStatus {
  /// Every job succeeded (or only failed as it was allowed to).
  public static let success: Int32 = 0
  /// A job failed, or `report --diff --fail-on-regression` found a regression.
  public static let failure: Int32 = 1
  /// The command line is wrong (`EX_USAGE`).
  public static let usage: Int32 = 64
  /// A manifest or report is invalid (`EX_DATAERR`).
  public static let invalidInput: Int32 = 65
  /// A manifest or report is missing or unreadable (`EX_NOINPUT`).
  public static let noInput: Int32 = 66
  /// batchrun failed itself: the machine, not the input (`EX_SOFTWARE`); see ``SystemFailure``.
  public static let software: Int32 = 70

  /// Ended by signal `number`, as a shell reports it: 128 + `number`.
  public static func signal(_ number: Int32) -> Int32 { 128 + number }
}
