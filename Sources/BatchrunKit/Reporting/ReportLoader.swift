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

  /// The run directory of `report`, read from `path` by `batchrun report`: `path` itself if
  /// it is a directory, else the directory holding the report file; `nil` unless that
  /// directory is named after the report's run id (a copy of a report elsewhere, as
  /// `--report PATH` writes, has no logs beside it, and files that happen to be there must
  /// not be taken for them).
  public static func runDirectory(of report: JSON, at path: String) -> String? {
    var info = stat()
    var directory = path
    if stat(path, &info) != 0 || (info.st_mode & S_IFMT) != S_IFDIR {
      let slash = path.lastIndex(of: "/")
      directory = slash.map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? "."
    }
    // `latest` is a link to the run directory: compare the real name.
    guard let runID = report["run_id"]?.stringValue, let real = realpath(directory, nil) else { return nil }
    defer { free(real) }
    return String(cString: real).split(separator: "/").last.map(String.init) == runID ? directory : nil
  }
}
