@testable import BatchrunKit
import Foundation
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// The spawn path used as a library (no subreaper): exits are collected through pidfds,
/// one thread for every job, and a host program's own children are never touched.
@Suite("Local process executor")
struct LocalProcessExecutorTests {
  let directory: URL
  let job: Job

  init() throws {
    var template = Array("/tmp/batchrun-executor.XXXXXX".utf8CString)
    directory = URL(fileURLWithPath: String(cString: mkdtemp(&template)!))
    let manifest = try ManifestLoader.load(bytes: Array("jobs:\n  job: {run: 'true'}\n".utf8), path: "m.yaml")
    job = manifest.jobs[0]
  }

  func launch(_ arguments: [String], log: String = "job.log") -> JobLaunch {
    JobLaunch(
      job: job, runID: "test", attempt: 1, arguments: arguments, environment: ["PATH=/usr/bin:/bin"],
      workingDirectory: directory.path, logPath: directory.appendingPathComponent(log).path,
      killGrace: .milliseconds(200))
  }

  @Test("Exit codes, signals and output are collected for each attempt")
  func exitsAndSignals() async throws {
    let executor = LocalProcessExecutor()
    let exited = await executor.execute(
      launch(["sh", "-c", "echo out; echo err >&2; exit 3"]), control: .init())
    #expect(exited.termination == .exited(3))
    #expect(exited.outputBytes == 8)
    let killed = await executor.execute(launch(["sh", "-c", "kill -9 $$"], log: "k.log"), control: .init())
    #expect(killed.termination == .signaled(SIGKILL))
  }

  @Test("A program that cannot start is a failure with its reason, not a thrown error")
  func failedToStart() async throws {
    let executor = LocalProcessExecutor()
    let missing = await executor.execute(launch(["no-such-program-anywhere"]), control: .init())
    #expect(missing.termination == .failedToStart("no-such-program-anywhere: command not found in PATH"))
    let log = try String(contentsOf: directory.appendingPathComponent("job.log"), encoding: .utf8)
    #expect(log.contains("command not found in PATH"))
  }

  @Test("A stop request ends the attempt's whole group")
  func stop() async throws {
    let executor = LocalProcessExecutor()
    let control = AttemptControl()
    Task {
      try await Task.sleep(for: .milliseconds(200))
      control.requestStop(.timedOut)
    }
    let exit = await executor.execute(launch(["sh", "-c", "sleep 300 & wait"]), control: control)
    #expect(exit.termination == .signaled(SIGTERM))
    // Far less than the 300 s the job would take: even a loaded machine stops it in time.
    #expect(exit.startedAt.seconds(to: exit.finishedAt) < 100)
  }

  @Test("Two hundred attempts, eight at a time, are all collected")
  func manyAttempts() async throws {
    let executor = LocalProcessExecutor()
    let codes = await withTaskGroup(of: AttemptExit.Termination.self) { group in
      var codes: [Int32] = []
      func take(_ termination: AttemptExit.Termination?) {
        if case .exited(let code)? = termination {
          codes.append(code)
        } else {
          Issue.record("not an exit: \(String(describing: termination))")
        }
      }
      for index in 0..<200 {
        if index >= 8 { take(await group.next()) }
        group.addTask {
          await executor.execute(
            self.launch(["sh", "-c", "exit \(index % 7)"], log: "\(index).log"), control: .init()
          )
          .termination
        }
      }
      while let termination = await group.next() { take(termination) }
      return codes
    }
    #expect(codes.count == 200)
    #expect(codes.sorted() == (0..<200).map { Int32($0 % 7) }.sorted())
    await executor.drain()
  }

  @Test("A host program's own child is never reaped by a library executor")
  func hostChildrenAreUntouched() async throws {
    var pid: pid_t = 0
    let arguments: [UnsafeMutablePointer<CChar>?] = [strdup("/bin/sleep"), strdup("0.3"), nil]
    defer { for argument in arguments { free(argument) } }
    #expect(posix_spawn(&pid, "/bin/sleep", nil, nil, arguments, environ) == 0)
    let executor = LocalProcessExecutor()
    for index in 0..<20 {
      _ = await executor.execute(launch(["true"], log: "\(index).log"), control: .init())
    }
    await executor.drain()
    var status: Int32 = 0
    // Still the host's to reap, with its own status.
    #expect(waitpid(pid, &status, 0) == pid)
    #expect(status == 0)
  }
}
