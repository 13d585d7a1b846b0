import Glibc
import SystemPackage

/// The machine failing batchrun, not the user's input and not a job: what batchrun was
/// doing, on which path, and the system's reason. The `batchrun` tool exits
/// ``ExitStatus/software`` (70) for one.
///
/// Its description reads `cannot create /x/runs: Permission denied`.
public struct SystemFailure: Error, Sendable, CustomStringConvertible {
  /// What failed, as a sentence start: `cannot create`, `cannot lock run`.
  var action: String
  /// The file or directory it failed on, if there is one.
  var path: FilePath?
  /// The system's reason, when a system call gave one.
  var errno: Errno?
  /// The reason in words, when no system call gave one (`it is a directory`).
  var reason: String?

  /// A failure of the last system call, with its `errno`.
  init(_ action: String, path: String? = nil, errno code: Int32 = Glibc.errno) {
    self.action = action
    self.path = path.map { FilePath($0) }
    self.errno = Errno(rawValue: code)
  }

  /// A failure with a reason in words.
  init(_ action: String, path: String? = nil, reason: String) {
    self.action = action
    self.path = path.map { FilePath($0) }
    self.reason = reason
  }

  /// The system's text for an error number (`strerror`), as messages quote it.
  static func text(of code: Int32) -> String {
    Errno(rawValue: code).description
  }

  /// The reason alone: ``reason``, or the text of ``errno``.
  var why: String {
    reason ?? errno?.description ?? "unknown error"
  }

  public var description: String {
    action + (path.map { " " + $0.string } ?? "") + ": " + why
  }
}
