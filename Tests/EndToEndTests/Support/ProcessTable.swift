import Foundation

/// Looks for processes in /proc by a marker in their command line, never by name.
enum ProcessTable {
  /// A marker unique to one test: put it in a job's argv (e.g. `sleep 300.<digits>`).
  static func uniqueSleepArgument() -> String {
    "300.\(UInt32.random(in: 100_000...999_999))\(UInt32.random(in: 100_000...999_999))"
  }

  /// Pids of live processes (not zombies) whose argv contains `marker`.
  static func processes(containing marker: String) -> [Int32] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    return names.compactMap { name -> Int32? in
      guard let pid = Int32(name) else { return nil }
      guard let cmdline = FileManager.default.contents(atPath: "/proc/\(name)/cmdline"), !cmdline.isEmpty
      else {
        return nil
      }
      let text = String(decoding: cmdline.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self)
      guard text.contains(marker) else { return nil }
      let status = (try? String(contentsOfFile: "/proc/\(name)/status", encoding: .utf8)) ?? ""
      return status.contains("State:\tZ") ? nil : pid
    }
  }

  /// Waits up to `limit` for every process carrying `marker` to be gone; returns survivors.
  static func survivors(of marker: String, within limit: Duration = .seconds(2)) async -> [Int32] {
    let deadline = ContinuousClock.now + limit
    while true {
      let found = processes(containing: marker)
      if found.isEmpty || ContinuousClock.now >= deadline { return found }
      try? await Task.sleep(for: .milliseconds(50))
    }
  }

  /// Kills leftovers so that a failing test does not leave them running.
  static func kill(_ pids: [Int32]) {
    for pid in pids { _ = Foundation.kill(pid, SIGKILL) }
  }
}
