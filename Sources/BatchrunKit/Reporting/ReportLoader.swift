import Glibc

/// Finds and reads a report for `batchrun report`: a report file, a run directory, or
/// the latest run of a state directory; rebuilt from the journal when the run left none.
public enum ReportLoader {
  /// Why no report could be read.
  public struct Failure: Error, CustomStringConvertible {
    public var description: String
  }

  /// Loads the report at `path`: a `report.json`, or a run directory (its `report.json`,
  /// else a report rebuilt from its `events.jsonl` with status `incomplete`).
  public static func load(_ path: String) throws(Failure) -> JSON {
    var info = stat()
    guard stat(path, &info) == 0 else {
      throw Failure(description: "no report or run directory at '\(path)'")
    }
    if (info.st_mode & S_IFMT) != S_IFDIR { return try parse(path) }
    if access(path + "/report.json", F_OK) == 0 { return try parse(path + "/report.json") }
    guard let journal = try? FileBytes.read(path + "/events.jsonl") else {
      throw Failure(description: "'\(path)' has neither report.json nor events.jsonl")
    }
    do {
      return try JournalReplay.report(fromJournal: String(decoding: journal, as: UTF8.self))
    } catch {
      throw Failure(description: "\(path)/events.jsonl: \(error)")
    }
  }

  static func parse(_ path: String) throws(Failure) -> JSON {
    let bytes: [UInt8]
    do {
      bytes = try FileBytes.read(path)
    } catch {
      throw Failure(description: "cannot read \(path): \(error)")
    }
    do {
      return try JSONParser.parse(bytes)
    } catch {
      throw Failure(description: "\(path): \(error)")
    }
  }
}
