import Glibc

/// Finds and reads a report for `batchrun report`: a report file, a run directory, or
/// the latest run of a state directory; rebuilt from the journal when the run left none.
///
/// Whatever a file holds, loading returns a checked ``ReportDocument`` or throws a
/// ``Failure`` saying why; it never traps.
public enum ReportLoader {
  /// Why no report could be read.
  public struct Failure: Error, CustomStringConvertible {
    enum Kind: Sendable, Equatable {
      /// Nothing at the path (`latest` of a state directory with no run yet).
      case missing
      /// There is something, but it cannot be read (permissions, a directory without
      /// report or journal).
      case unreadable
      /// It was read, but it is not a report (or a journal).
      case invalid
    }

    var kind: Kind
    /// The file or directory the failure is about.
    public var path: String
    /// Why, without the path: `not a valid report: invalid JSON at byte 0: ...`.
    public var reason: String
    public var description: String { "\(path): \(reason)" }

    /// `batchrun report`'s exit code for it: 65 for a file that is not a report (or journal),
    /// 66 for one that is missing or cannot be read.
    public var exitCode: Int32 { kind == .invalid ? ExitStatus.invalidInput : ExitStatus.noInput }
  }

  /// Loads the report at `path`: a `report.json`, or a run directory (its `report.json`,
  /// else a report rebuilt from its `events.jsonl` with status `incomplete`).
  public static func load(_ path: String) throws(Failure) -> ReportDocument {
    var info = stat()
    guard stat(path, &info) == 0 else {
      let why = errno
      throw Failure(
        kind: why == ENOENT || why == ENOTDIR ? .missing : .unreadable, path: path,
        reason: why == ENOENT ? "no such report or run directory" : SystemFailure.text(of: why))
    }
    if (info.st_mode & S_IFMT) != S_IFDIR { return try loadFile(path) }
    if access(path + "/report.json", F_OK) == 0 { return try loadFile(path + "/report.json") }
    let journalPath = path + "/events.jsonl"
    let journal: [UInt8]
    do {
      journal = try FileBytes.read(journalPath)
    } catch {
      throw Failure(
        kind: .unreadable, path: path,
        reason: access(journalPath, F_OK) == 0
          ? "cannot read events.jsonl: \(error.why)" : "a directory with neither report.json nor events.jsonl"
      )
    }
    do {
      return try JournalReplay.report(fromJournal: String(decoding: journal, as: UTF8.self))
    } catch {
      throw Failure(kind: .invalid, path: journalPath, reason: "not a valid journal: \(error)")
    }
  }

  /// Loads the report file at `path` (never a run directory, never a journal).
  static func loadFile(_ path: String) throws(Failure) -> ReportDocument {
    var info = stat()
    if stat(path, &info) != 0, errno == ENOENT || errno == ENOTDIR {
      throw Failure(kind: .missing, path: path, reason: "no such file")
    }
    let bytes: [UInt8]
    do {
      bytes = try FileBytes.read(path)
    } catch {
      throw Failure(kind: .unreadable, path: path, reason: "cannot read it: \(error.why)")
    }
    do {
      return try report(from: bytes)
    } catch {
      throw Failure(kind: .invalid, path: path, reason: "not a valid report: \(error)")
    }
  }

  /// Why bytes are not a report: they are not JSON, or not a report's shape.
  public enum Problem: Error, CustomStringConvertible {
    case empty
    case syntax(JSONParser.Failure)
    case shape(ReportDocument.Problem)

    public var description: String {
      switch self {
      case .empty: "the file is empty"
      case .syntax(let failure): failure.description
      case .shape(let problem): problem.description
      }
    }
  }

  /// The report in `bytes`, as `batchrun report` reads a `report.json`.
  public static func report(from bytes: [UInt8]) throws(Problem) -> ReportDocument {
    if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) { throw .empty }
    let json: JSON
    do {
      json = try JSONParser.parse(bytes)
    } catch {
      throw .syntax(error)
    }
    do {
      return try ReportDocument(json: json)
    } catch {
      throw .shape(error)
    }
  }

  /// The run directory of `report`, read from `path` by `batchrun report`: `path` itself if
  /// it is a directory, else the directory holding the report file; `nil` unless that
  /// directory is named after the report's run id (a copy of a report elsewhere, as
  /// `--report PATH` writes, has no logs beside it, and files that happen to be there must
  /// not be taken for them).
  public static func runDirectory(of report: ReportDocument, at path: String) -> String? {
    var info = stat()
    var directory = path
    if stat(path, &info) != 0 || (info.st_mode & S_IFMT) != S_IFDIR {
      let slash = path.lastIndex(of: "/")
      directory = slash.map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? "."
    }
    // `latest` is a link to the run directory: compare the real name.
    guard let runID = report.runID, let real = realpath(directory, nil) else { return nil }
    defer { free(real) }
    return String(cString: real).split(separator: "/").last.map(String.init) == runID ? directory : nil
  }
}
