import Glibc

/// Descendants of jobs that escaped their job's process group (`setsid`, a double fork)
/// and, batchrun being a child subreaper, were re-parented to it.
///
/// Each is recognised by the environment it started with: every job process inherits
/// `BATCHRUN_RUN_ID`, `BATCHRUN_JOB_ID` and `BATCHRUN_ATTEMPT` unless it cleared them.
/// Whatever is left when the run ends is swept regardless of its environment.
enum Orphans {
  /// batchrun's own children, from `/proc/self/task/*/children` (each thread's).
  static func children() -> [pid_t] {
    Directory.entries(of: "/proc/self/task").flatMap { children(ofThread: $0) }
  }

  /// The children of one thread of this process.
  static func children(ofThread thread: String) -> [pid_t] {
    guard let text = read("/proc/self/task/\(thread)/children") else { return [] }
    return text.split(separator: " ").compactMap { pid_t($0.trimmingWhitespace()) }
  }

  /// Children adopted as a subreaper. The kernel hands orphans to the main thread, while
  /// jobs are spawned from worker threads, so this reads one file.
  static func adopted() -> [pid_t] {
    children(ofThread: String(getpid()))
  }

  /// Adopted children whose initial environment holds every one of `markers`
  /// (`NAME=value` strings), skipping `excluded` pids.
  static func adopted(carrying markers: [String], excluding excluded: Set<pid_t>) -> [pid_t] {
    adopted().filter { pid in
      guard !excluded.contains(pid), let environment = read("/proc/\(pid)/environ") else { return false }
      let entries = Set(environment.split(separator: "\0").map(String.init))
      return markers.allSatisfy(entries.contains)
    }
  }

  /// Sends `signal` to the orphan's process group when it leads one, else to it alone.
  static func signal(_ pid: pid_t, _ number: Int32) {
    if getpgid(pid) == pid {
      kill(-pid, number)
    } else {
      kill(pid, number)
    }
  }

  /// Whether the orphan has exited; reaps it if it has (it is our child).
  static func reapIfExited(_ pid: pid_t) -> Bool {
    var status: Int32 = 0
    let result = waitpid(pid, &status, WNOHANG)
    return result == pid || (result < 0 && errno == ECHILD)
  }

  /// A `/proc` file as text, or nil if it cannot be read (the process is gone).
  static func read(_ path: String) -> String? {
    (try? FileBytes.read(path, chunk: 4096)).map { String(decoding: $0, as: UTF8.self) }
  }
}
