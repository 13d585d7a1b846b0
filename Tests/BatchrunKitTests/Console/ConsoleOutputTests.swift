@testable import BatchrunKit
import Glibc
import Testing

/// `ConsoleOutput.flush`: woken by its writer, so it returns as soon as the text is out,
/// and gives up after `stall` on a reader that takes nothing.
@Suite("ConsoleOutput flush", .timeLimit(.minutes(1)))
struct ConsoleOutputTests {
  /// A pipe; both ends close when the value is released.
  final class Pipe: Sendable {
    let read: Int32
    let write: Int32

    init() {
      var ends: [Int32] = [0, 0]
      _ = Glibc.pipe(&ends)
      read = ends[0]
      write = ends[1]
    }

    deinit {
      close(read)
      close(write)
    }

    /// Reads `count` bytes, or up to the end.
    func readAll(_ count: Int) -> [UInt8] {
      var out: [UInt8] = []
      var chunk = [UInt8](repeating: 0, count: 65536)
      while out.count < count {
        let got = chunk.withUnsafeMutableBytes { Glibc.read(read, $0.baseAddress, $0.count) }
        if got < 0, errno == EINTR { continue }
        guard got > 0 else { break }
        out += chunk[0..<got]
      }
      return out
    }
  }

  @Test("flush returns once a reading reader has everything, long before the stall")
  func returnsWhenWritten() async throws {
    let pipe = Pipe()
    let output = ConsoleOutput(fd: pipe.write)
    let text = String(repeating: "x", count: 999) + "\n"
    for _ in 0..<300 { _ = output.write(text, droppable: false) }
    let reader = Task.detached { pipe.readAll(300_000) }
    let clock = ContinuousClock()
    let elapsed = clock.measure { output.flush(stall: .seconds(20), limit: .seconds(30)) }
    #expect(await reader.value.count == 300_000)
    #expect(elapsed < .seconds(15), "flush waited \(elapsed) for a reader that read everything")
  }

  @Test("flush gives up after `stall` when the reader takes nothing")
  func givesUpOnAStalledReader() {
    let pipe = Pipe()
    let output = ConsoleOutput(fd: pipe.write)
    // More than a pipe holds: the writer blocks with text left.
    let text = String(repeating: "y", count: 1023) + "\n"
    for _ in 0..<1024 { _ = output.write(text, droppable: false) }
    let clock = ContinuousClock()
    let elapsed = clock.measure { output.flush(stall: .milliseconds(200), limit: .seconds(20)) }
    #expect(elapsed >= .milliseconds(200))
    #expect(elapsed < .seconds(10), "flush waited \(elapsed) on a stalled reader")
    _ = pipe.readAll(1024 * 1024)  // lets the writer thread finish
  }
}
