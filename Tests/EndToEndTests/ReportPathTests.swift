import Foundation
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// Issue #15: `--report`, `--junit` and `--state-dir` write where they are pointed
/// without replacing what the path names, refuse empty paths, and a report always
/// carries the exit code batchrun exits with.
@Suite("Report paths")
struct ReportPathTests {
  let directory: TemporaryDirectory

  init() throws {
    directory = try TemporaryDirectory(prefix: "batchrun-paths")
    try directory.write("m.yaml", "jobs:\n  hello: {run: echo hello}\n")
  }

  var state: URL { directory.url.appendingPathComponent(".batchrun") }

  func run(_ arguments: [String]) async throws -> BatchrunProcess.Result {
    try await BatchrunProcess.batchrun(arguments + ["m.yaml"], in: directory.url)
  }

  func fileType(_ path: String) -> mode_t {
    var info = stat()
    return lstat(path, &info) == 0 ? info.st_mode & S_IFMT : 0
  }

  @Test("A symbolic link stays a link: the file it names gets the report")
  func symlinkIsFollowed() async throws {
    let target = try directory.write("elsewhere/report.json", "old")
    let link = directory.url.appendingPathComponent("link.json").path
    #expect(symlink(target, link) == 0)
    let junitTarget = try directory.write("elsewhere/junit.xml", "old")
    let junitLink = directory.url.appendingPathComponent("junit-link.xml").path
    #expect(symlink(junitTarget, junitLink) == 0)
    let result = try await run(["--report", link, "--junit", junitLink])
    #expect(result.exitCode == 0, "\(result)")
    #expect(fileType(link) == S_IFLNK)
    #expect(fileType(junitLink) == S_IFLNK)
    let copied = try Data(contentsOf: URL(fileURLWithPath: target))
    try await RunFiles.expectValid(copied)
    #expect(try String(contentsOfFile: junitTarget, encoding: .utf8).contains("<testsuite"))
  }

  @Test("A dangling link stays a link and the file it names is created")
  func danglingSymlink() async throws {
    let link = directory.url.appendingPathComponent("dangling.json").path
    let target = directory.url.appendingPathComponent("made.json").path
    #expect(symlink(target, link) == 0)
    let result = try await run(["--report", link])
    #expect(result.exitCode == 0, "\(result)")
    #expect(fileType(link) == S_IFLNK)
    try await RunFiles.expectValid(try Data(contentsOf: URL(fileURLWithPath: target)))
  }

  @Test("A FIFO stays a FIFO and its reader gets the report")
  func fifoIsWrittenInto() async throws {
    let fifo = directory.url.appendingPathComponent("report.fifo").path
    #expect(mkfifo(fifo, 0o600) == 0)
    let reader = Task {
      await onOwnThread { () -> Data in
        let fd = open(fifo, O_RDONLY)
        defer { close(fd) }
        var data = Data()
        var chunk = [UInt8](repeating: 0, count: 65536)
        while fd >= 0 {
          let count = read(fd, &chunk, chunk.count)
          if count < 0, errno == EINTR { continue }
          guard count > 0 else { break }
          data.append(contentsOf: chunk[0..<count])
        }
        return data
      }
    }
    let result = try await run(["--report", fifo])
    let received = await reader.value
    #expect(result.exitCode == 0, "\(result)")
    #expect(fileType(fifo) == S_IFIFO)
    try await RunFiles.expectValid(received)
  }

  @Test("A character device stays a device (as root, where replacing it would work)")
  func deviceIsWrittenInto() async throws {
    // A copy of /dev/null (major 1, minor 3) made here, so that a regression cannot
    // damage the real one.
    let device = directory.url.appendingPathComponent("null").path
    guard getuid() == 0, mknod(device, S_IFCHR | 0o666, (1 << 8) | 3) == 0 else { return }
    let result = try await run(["--report", device, "--junit", device])
    #expect(result.exitCode == 0, "\(result)")
    #expect(fileType(device) == S_IFCHR)
  }

  @Test("--report /dev/stdout appends the report to what stdout already holds")
  func standardOutput() async throws {
    let result = try await run(["--report", "/dev/stdout"])
    #expect(result.exitCode == 0, "\(result)")
    #expect(result.stdout.contains("ok hello"))
    // The report comes after the job lines, in order, and before the summary.
    let start = try #require(result.stdout.range(of: "ok hello")?.upperBound)
    let json = try #require(result.stdout.range(of: "{\n", range: start..<result.stdout.endIndex))
    let end = try #require(result.stdout.range(of: "\n}\n", range: json.lowerBound..<result.stdout.endIndex))
    try await RunFiles.expectValid(Data(result.stdout[json.lowerBound..<end.upperBound].utf8))
    #expect(result.stdout[end.upperBound...].hasPrefix("succeeded: 1 job"))
  }

  @Test("A directory is an error (exit 70) and the report says so", arguments: ["--report", "--junit"])
  func directoryIsAnError(option: String) async throws {
    let target = directory.url.appendingPathComponent("out").path
    try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
    let result = try await run([option, target])
    #expect(result.exitCode == 70, "\(result)")
    #expect(result.stderr.contains("batchrun: error: cannot write \(target): it is a directory"), "\(result)")
    #expect(fileType(target) == S_IFDIR)
    let files = try await RunFiles(latestIn: state)
    #expect(files.exitCode == 70)
    #expect((files.report["error"] as? String)?.contains("it is a directory") == true)
    #expect(try directory.contents().filter { $0.contains(".tmp-") }.isEmpty)
  }

  @Test("A `latest` that is a directory: exit 70, the report says why, no temporary link left")
  func latestIsADirectory() async throws {
    try FileManager.default.createDirectory(
      at: state.appendingPathComponent("latest"), withIntermediateDirectories: true)
    let result = try await run([])
    #expect(result.exitCode == 70, "\(result)")
    #expect(result.stderr.contains("cannot update \(state.path)/latest"), "\(result)")
    let runs = try FileManager.default.contentsOfDirectory(atPath: state.appendingPathComponent("runs").path)
    let files = try await RunFiles(
      directory: state.appendingPathComponent("runs/\(try #require(runs.first))"))
    #expect(files.exitCode == 70)
    #expect((files.report["error"] as? String)?.contains("latest") == true)
    let leftovers = try FileManager.default.contentsOfDirectory(atPath: state.path).filter {
      $0.hasPrefix(".latest")
    }
    #expect(leftovers.isEmpty, "\(leftovers)")
  }

  @Test(
    "An empty path is a usage error (exit 64) and nothing is written",
    arguments: ["--state-dir", "--report", "--junit"])
  func emptyPathIsAUsageError(option: String) async throws {
    let result = try await run([option, ""])
    #expect(result.exitCode == 64, "\(result)")
    #expect(result.stderr.contains("\(option) needs a path, got an empty one."), "\(result)")
    #expect(try directory.contents() == ["m.yaml"])
  }
}
