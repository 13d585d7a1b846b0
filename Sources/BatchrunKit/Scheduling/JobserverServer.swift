import Glibc

/// A jobserver batchrun serves (`--jobserver`; docs/cli.md, "A jobserver for jobs"): a
/// fifo in the run directory holding N-1 tokens, which batchrun's own scheduling draws
/// from (through ``client``) as its jobs do, so that a job running `make` or `ninja`
/// shares the run's budget of N.
///
/// Jobs get the fifo twice over in `MAKEFLAGS` (see ``makeflags``): by path for make 4.4
/// and ninja, and as descriptors 3 and 4 for make 4.3, which knows only that form.
final class JobserverServer: Sendable {
  /// The fifo.
  let path: String
  /// The run's budget: N.
  let slots: Int
  /// Held open for reading and writing for the whole run, so that the fifo never sees
  /// its last writer or reader go.
  private let keep: Int32
  /// The fifo's read and write ends, given to every job as its descriptors 3 and 4.
  let descriptors: [Int32]
  /// batchrun's own draws on the tokens.
  let client: JobserverClient

  /// Makes the fifo in `directory` and puts `slots` - 1 tokens in it.
  init(directory: String, slots: Int) throws(SystemFailure) {
    path = directory + "/jobserver"
    self.slots = slots
    guard mkfifo(path, 0o600) == 0 else { throw SystemFailure("cannot make the jobserver fifo", path: path) }
    keep = open(path, O_RDWR | O_CLOEXEC)
    // The jobs' ends sit above 4, so that making them 3 and 4 overwrites neither.
    let read = Self.high(open(path, O_RDONLY | O_CLOEXEC))
    let write = Self.high(open(path, O_WRONLY | O_CLOEXEC))
    let ownRead = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
    guard keep >= 0, read >= 0, write >= 0, ownRead >= 0 else {
      let failure = SystemFailure("cannot open the jobserver fifo", path: path)
      for fd in [keep, read, write, ownRead] where fd >= 0 { close(fd) }
      throw failure
    }
    descriptors = [read, write]
    client = JobserverClient(read: ownRead, write: keep, owned: [ownRead], budget: slots)
    let tokens = [UInt8](repeating: UInt8(ascii: "+"), count: max(0, slots - 1))
    guard FileBytes.writeAll(keep, tokens) else {
      throw SystemFailure("cannot fill the jobserver fifo", path: path)
    }
  }

  /// `MAKEFLAGS` for jobs: `-jN`, then `--jobserver-auth=fifo:PATH` (what make 4.4 and
  /// ninja 1.13 read), then `--jobserver-aut=3,4`. make takes the last of its options,
  /// and reads `--jobserver-aut` as an abbreviation of `--jobserver-auth`: make 4.3 (which
  /// knows no `fifo:`) and 4.4 use the descriptors; ninja recognizes only the exact
  /// `--jobserver-auth=` (and `--jobserver-fds=`), so it uses the fifo.
  var makeflags: String {
    " -j\(slots) --jobserver-auth=fifo:\(path) --jobserver-aut=3,4"
  }

  /// `fd` moved to a number above 4 (close-on-exec), or -1.
  private static func high(_ fd: Int32) -> Int32 {
    guard fd >= 0, fd <= 4 else { return fd }
    let moved = fcntl(fd, F_DUPFD_CLOEXEC, 10)
    close(fd)
    return moved
  }

  deinit {
    for fd in descriptors + [keep] { close(fd) }
    unlink(path)
  }
}
