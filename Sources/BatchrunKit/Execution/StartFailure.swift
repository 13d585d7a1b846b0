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
    // The files the spawn path tried: the first that exists says what is wrong with it.
    let tried = ProcessSpawner.candidates(
      program, path: LocalProcessExecutor.path(in: launch.environmentEntries), in: directory)
    guard let found = tried.first(where: { stat($0.absolute, &info) == 0 })?.absolute else {
      return program.contains("/") ? "\(program): no such file" : "\(program): command not found in PATH"
    }
    if (info.st_mode & S_IFMT) == S_IFDIR { return "\(program): is a directory" }
    if access(found, X_OK) != 0 { return "\(program): permission denied (not executable)" }
    guard let error else { return "\(program): cannot be executed" }
    return "\(program): \(SystemFailure.text(of: error))"
  }
}
