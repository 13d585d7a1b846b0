import Foundation
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// The process helper itself, so later end-to-end tests can rely on it.
@Suite("BatchrunProcess helper")
struct HelperTests {
  private static let shell = URL(fileURLWithPath: "/bin/sh")

  @Test("Finds the built batchrun next to the test bundle")
  func findsBatchrun() throws {
    let url = try BatchrunProcess.batchrunURL
    #expect(url.lastPathComponent == "batchrun")
    #expect(FileManager.default.isExecutableFile(atPath: url.path))
  }

  @Test("Captures stdout, stderr and the exit status; runs in the given directory with extra environment")
  func capture() async throws {
    let directory = try TemporaryDirectory()
    let result = try await BatchrunProcess.run(
      Self.shell, ["-c", "pwd -P; echo \"$GREETING\" >&2; exit 3"], in: directory.url,
      environment: ["GREETING": "hello"])
    #expect(result.exitCode == 3)
    #expect(result.signal == nil)
    #expect(result.stdout == directory.url.resolvingSymlinksInPath().path + "\n")
    #expect(result.stderr == "hello\n")
    #expect(!result.timedOut)
    #expect(try directory.contents().isEmpty, "captured output is kept outside the working directory")
  }

  @Test("Removes variables from the environment and gives /dev/null as stdin")
  func environmentAndStdin() async throws {
    let result = try await BatchrunProcess.run(
      Self.shell, ["-c", "echo \"[${HOME-unset}]\"; cat; echo done"], removingEnvironment: ["HOME"])
    #expect(result.exitCode == 0)
    #expect(result.stdout == "[unset]\ndone\n")
  }

  @Test("The child has an empty signal mask and ignores no standard signal")
  func signalMask() async throws {
    // Shell builtins only, so the status read is the shell's own, not a forked child's.
    let script =
      "while read -r line; do case $line in SigBlk*|SigIgn*) echo $line;; esac; done < /proc/$$/status"
    let result = try await BatchrunProcess.run(Self.shell, ["-c", script])
    let fields = Dictionary(
      uniqueKeysWithValues: result.stdoutLines.map { line in
        let parts = line.split(separator: ":").map { $0.trimmingCharacters(in: .whitespaces) }
        return (parts[0], UInt64(parts[1], radix: 16) ?? .max)
      })
    #expect(fields["SigBlk"] == 0, "\(result.stdout)")
    #expect((fields["SigIgn"] ?? .max) & 0x7fff_ffff == 0, "\(result.stdout)")
  }

  @Test("The child has no file descriptor but 0-2 (ls sees its own directory as 3)")
  func fileDescriptors() async throws {
    let result = try await BatchrunProcess.run(Self.shell, ["-c", "exec ls /proc/self/fd"])
    #expect(result.stdoutLines == ["0", "1", "2", "3"])
  }

  @Test("The child leads a process group of its own")
  func processGroup() async throws {
    let result = try await BatchrunProcess.run(
      Self.shell, ["-c", "read -r stat < /proc/$$/stat; echo \"$stat\""])
    let afterName = try #require(result.stdout.split(separator: ")").last)
    let fields = afterName.split(separator: " ")
    #expect(fields.count > 3)
    #expect(fields.count > 3 && Int32(fields[2]) == result.pid, "pgrp of \(result.stdout)")
  }

  @Test("Sends a scheduled signal to the process")
  func signal() async throws {
    let result = try await BatchrunProcess.run(
      Self.shell, ["-c", "trap 'echo got TERM; exit 143' TERM; sleep 120 & wait"],
      signals: [.init(SIGTERM, after: .seconds(1))], timeout: .seconds(30))
    _ = kill(-result.pid, SIGKILL)  // the background sleep
    #expect(result.exitCode == 143, "\(result)")
    #expect(result.stdout == "got TERM\n")
    #expect(!result.timedOut)
    #expect(result.elapsed < .seconds(60), "does not wait for the background sleep")
  }

  @Test("Sends a scheduled signal to the whole process group")
  func groupSignal() async throws {
    let result = try await BatchrunProcess.run(
      Self.shell, ["-c", "trap 'echo got TERM; exit 7' TERM; sleep 120 & wait"],
      signals: [.init(SIGTERM, after: .seconds(1), toGroup: true)], timeout: .seconds(30))
    #expect(result.exitCode == 7, "\(result)")
    #expect(result.stdout == "got TERM\n")
    // The background sleep got SIGTERM too: the group empties without help.
    var groupIsGone = false
    for _ in 0..<200 where !groupIsGone {
      groupIsGone = kill(-result.pid, 0) != 0
      if !groupIsGone { try await Task.sleep(for: .milliseconds(10)) }
    }
    _ = kill(-result.pid, SIGKILL)
    #expect(groupIsGone)
  }

  @Test("The result comes when the process exits, not when what it left behind does")
  func leftBehind() async throws {
    let result = try await BatchrunProcess.run(
      Self.shell, ["-c", "sleep 120 & echo started"], timeout: .seconds(100))
    _ = kill(-result.pid, SIGKILL)
    #expect(result.exitCode == 0)
    #expect(result.stdout == "started\n")
    #expect(result.elapsed < .seconds(60))
  }

  @Test("Kills a process that overruns its timeout, and says so")
  func timeout() async throws {
    let result = try await BatchrunProcess.run(
      Self.shell, ["-c", "exec sleep 120"], timeout: .milliseconds(300))
    #expect(result.timedOut)
    #expect(result.signal == SIGKILL)
    #expect(result.exitCode == nil)
    #expect(result.elapsed < .seconds(60))
  }

  @Test("A program that cannot be started is an error")
  func launchFailure() async throws {
    await #expect(throws: BatchrunProcess.LaunchError.self) {
      _ = try await BatchrunProcess.run(URL(fileURLWithPath: "/nonexistent/program"), [])
    }
  }
}
