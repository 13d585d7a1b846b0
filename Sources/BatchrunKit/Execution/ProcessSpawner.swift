import CBatchrunShims
import Glibc

/// Starts a job's process with `posix_spawn`, as the README's "Running jobs" lays it
/// out: a session of its own, stdin from /dev/null, stdout and stderr into the log, no
/// other descriptor, an empty signal mask and default dispositions.
struct ProcessSpawner: Sendable {
  /// The signals to reset to their default action in every job: those this process
  /// ignores (SIGPIPE, or SIGINT in a shell's background job), read once. Caught ones
  /// are reset by `exec` itself.
  private let defaultSignals: sigset_t

  init() {
    var set = sigset_t()
    batchrun_ignored_signals(&set)
    defaultSignals = set
  }

  /// Starts `program` (a path) with `arguments` (argv, the program's name first) and
  /// `environment` (NUL-terminated `NAME=value` entries); `descriptors` become the job's
  /// 3, 4, ... (each must be above 2 + their count). Returns the pid, or the error number
  /// `posix_spawn` gave (the exec's own included).
  func spawn(
    program: String, arguments: [String], environment: [[UInt8]], stdin: Int32, output: Int32,
    directory: String?, descriptors: [Int32] = []
  ) -> (pid: pid_t, error: Int32) {
    var argv = CStringArray(arguments.map { Array($0.utf8) + [0] })
    var envp = CStringArray(environment)
    var signals = defaultSignals
    var pid: pid_t = 0
    let error = argv.withPointers { argv in
      envp.withPointers { envp in
        descriptors.withUnsafeBufferPointer { extra in
          let count = Int32(extra.count)
          if let directory {
            return batchrun_spawn(
              &pid, program, argv, envp, stdin, output, directory, &signals, extra.baseAddress, count)
          }
          return batchrun_spawn(
            &pid, program, argv, envp, stdin, output, nil, &signals, extra.baseAddress, count)
        }
      }
    }
    return (pid, error)
  }

  /// The program `name` names: itself if it holds a `/`, else the first executable file of
  /// that name in the directories of `path` (the job's own `PATH`), relative ones taken
  /// from `directory`; `nil` if there is none.
  static func resolve(_ name: String, path: String?, in directory: String) -> String? {
    if name.contains("/") { return name }
    return candidates(name, path: path, in: directory).first {
      var info = stat()
      return stat($0.absolute, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
        && access($0.absolute, X_OK) == 0
    }?.path
  }

  /// The files `name` may stand for, in the order ``resolve(_:path:in:)`` tries them:
  /// `name` itself if it holds a `/`, else `name` in each directory of `path` (a default
  /// one if `nil`). Each as the spawn takes it (a relative one from `directory`) and as
  /// an absolute path.
  static func candidates(
    _ name: String, path: String?, in directory: String
  ) -> some Sequence<(path: String, absolute: String)> {
    let paths =
      name.contains("/")
      ? [name]
      : (path ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":", omittingEmptySubsequences: false).map {
        ($0.isEmpty ? "." : String($0)) + "/" + name
      }
    return paths.lazy.map { ($0, $0.hasPrefix("/") ? $0 : directory + "/" + $0) }
  }
}

/// NUL-terminated strings laid end to end in one buffer, and a NULL-terminated array of
/// pointers into it, as `argv` and `envp` are passed.
private struct CStringArray {
  private var bytes: [CChar]
  private var offsets: [Int]

  /// - Parameter entries: each already ends in NUL.
  init(_ entries: [[UInt8]]) {
    bytes = []
    bytes.reserveCapacity(entries.reduce(0) { $0 + $1.count })
    offsets = []
    offsets.reserveCapacity(entries.count)
    for entry in entries {
      offsets.append(bytes.count)
      bytes.append(contentsOf: entry.lazy.map { CChar(bitPattern: $0) })
    }
  }

  mutating func withPointers<R>(_ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> R) -> R {
    let offsets = offsets
    return bytes.withUnsafeMutableBufferPointer { buffer in
      var pointers: [UnsafeMutablePointer<CChar>?] = offsets.map { buffer.baseAddress! + $0 }
      pointers.append(nil)
      return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
    }
  }
}
