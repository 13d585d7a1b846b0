/// What the controller says of one job: its state, the reason for it, how it exited and
/// where it ran, read from `squeue`, `scontrol show job` or `sacct` output.
struct SlurmJobRecord: Sendable, Equatable {
  /// Where a job is in its life, as batchrun waits on it.
  enum Phase: Sendable, Equatable {
    /// Submitted, not running yet (PENDING, CONFIGURING, REQUEUED...).
    case queued
    /// Running or being cleaned up (RUNNING, COMPLETING, SUSPENDED...): not final.
    case running
    /// A final state: the job's processes are gone.
    case ended
  }

  /// The Slurm job id.
  var id: String
  /// The state's name, `COMPLETED`, `FAILED`, `CANCELLED`... (`CANCELLED by 0` cut to its
  /// first word).
  var state: String
  /// Slurm's reason, `None` when it gives none.
  var reason: String
  var exitCode: Int32
  /// The signal that ended the job, 0 if none.
  var signal: Int32
  /// The node it ran on, if it started.
  var node: String?

  var phase: Phase {
    switch state {
    case "PENDING", "CONFIGURING", "REQUEUED", "REQUEUE_HOLD", "REQUEUE_FED", "RESV_DEL_HOLD": .queued
    case "COMPLETED", "FAILED", "TIMEOUT", "CANCELLED", "NODE_FAIL", "BOOT_FAIL", "OUT_OF_MEMORY",
      "PREEMPTED", "DEADLINE", "REVOKED", "SPECIAL_EXIT":
      .ended
    default: .running
    }
  }

  // MARK: - Parsing

  /// The fields batchrun asks `squeue` for, one line per job: `id|state|reason|exit|node|`,
  /// the exit as a raw wait status (768 is exit 3, 9 is SIGKILL).
  static let squeueFormat = "JobID:|,State:|,Reason:|,exit_code:|,NodeList:|"

  /// Records from `squeue -h -O <squeueFormat>` output; lines it cannot read are left out.
  static func parseSqueue(_ text: String) -> [SlurmJobRecord] {
    text.split(whereSeparator: \.isNewline).compactMap { line in
      let fields = line.split(separator: "|", omittingEmptySubsequences: false).map {
        $0.trimmingCharacters(in: " ")
      }
      guard fields.count >= 5, !fields[0].isEmpty, !fields[1].isEmpty else { return nil }
      let status = Int32(fields[3]) ?? 0
      return SlurmJobRecord(
        id: fields[0], state: stateName(fields[1]), reason: fields[2], exitCode: (status >> 8) & 0xff,
        signal: status & 0x7f, node: node(fields[4]))
    }
  }

  /// The record in `scontrol show job -o ID` output (`JobState=`, `Reason=`, `ExitCode=code:signal`,
  /// `BatchHost=`), or `nil`.
  static func parseScontrol(_ text: String) -> SlurmJobRecord? {
    var values: [Substring: Substring] = [:]
    for word in text.split(whereSeparator: { $0 == " " || $0.isNewline }) {
      guard let equals = word.firstIndex(of: "=") else { continue }
      let key = word[..<equals]
      if values[key] == nil { values[key] = word[word.index(after: equals)...] }
    }
    guard let id = values["JobId"], let state = values["JobState"] else { return nil }
    let (code, signal) = exitPair(values["ExitCode"].map(String.init) ?? "0:0")
    return SlurmJobRecord(
      id: String(id), state: stateName(String(state)), reason: String(values["Reason"] ?? "None"),
      exitCode: code, signal: signal,
      node: node(String(values["BatchHost"] ?? values["NodeList"] ?? "")))
  }

  /// Records from `sacct -n -P -X -o JobIDRaw,State,ExitCode,NodeList` output.
  static func parseSacct(_ text: String) -> [SlurmJobRecord] {
    text.split(whereSeparator: \.isNewline).compactMap { line in
      let fields = line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
      guard fields.count >= 4, !fields[0].isEmpty, !fields[1].isEmpty else { return nil }
      let (code, signal) = exitPair(fields[2])
      return SlurmJobRecord(
        id: fields[0], state: stateName(fields[1]), reason: "None", exitCode: code, signal: signal,
        node: node(fields[3]))
    }
  }

  /// `CANCELLED by 0` -> `CANCELLED`.
  private static func stateName(_ text: String) -> String {
    String(text.split(separator: " ").first ?? "")
  }

  /// A node list, or `nil` for none (`""`, `(null)`, `None assigned`).
  private static func node(_ text: String) -> String? {
    let trimmed = text.trimmingCharacters(in: " ")
    return trimmed.isEmpty || trimmed.hasPrefix("(") || trimmed.hasPrefix("None") ? nil : trimmed
  }

  /// `3:0` -> (3, 0).
  private static func exitPair(_ text: String) -> (Int32, Int32) {
    let parts = text.split(separator: ":")
    return (parts.first.flatMap { Int32($0) } ?? 0, parts.dropFirst().first.flatMap { Int32($0) } ?? 0)
  }
}

extension String {
  /// The text without `character` at either end.
  fileprivate func trimmingCharacters(in character: Character) -> String {
    guard let start = firstIndex(where: { $0 != character }) else { return "" }
    let end = lastIndex { $0 != character }!
    return String(self[start...end])
  }
}

extension Substring {
  fileprivate func trimmingCharacters(in character: Character) -> String {
    String(self).trimmingCharacters(in: character)
  }
}
