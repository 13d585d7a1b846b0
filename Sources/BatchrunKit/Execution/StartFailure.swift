import Glibc

/// Why a job could not start, in batchrun's words: the working directory or the program
/// at fault, found by looking at them, not by trusting an `errno` that `exec` and `chdir`
/// share.
enum StartFailure {
  /// The reason a launch failed; `error` is the `errno` the spawn reported, if any.
  static func describe(_ launch: JobLaunch, error: Int32?) -> String {
    let directory = launch.workingDirectory
    var info = stat()
    if stat(directory, &info) != 0 {
      return "working directory '\(directory)' does not exist"
    }
    if (info.st_mode & S_IFMT) != S_IFDIR {
      return "working directory '\(directory)' is not a directory"
    }
    let program = launch.arguments[0]
    let candidates: [String]
    if program.contains("/") {
      candidates = [program.hasPrefix("/") ? program : directory + "/" + program]
    } else {
      let path = launch.environment.last { $0.hasPrefix("PATH=") }.map { String($0.dropFirst(5)) } ?? ""
      candidates = path.split(separator: ":", omittingEmptySubsequences: false).map {
        ($0.isEmpty ? directory : $0.hasPrefix("/") ? String($0) : directory + "/" + $0) + "/" + program
      }
      guard candidates.contains(where: { access($0, F_OK) == 0 }) else {
        return "\(program): command not found in PATH"
      }
    }
    guard let found = candidates.first(where: { stat($0, &info) == 0 }) else {
      return "\(program): no such file"
    }
    if (info.st_mode & S_IFMT) == S_IFDIR { return "\(program): is a directory" }
    if access(found, X_OK) != 0 { return "\(program): permission denied (not executable)" }
    guard let error else { return "\(program): cannot be executed" }
    return "\(program): \(String(cString: strerror(error)))"
  }
}
