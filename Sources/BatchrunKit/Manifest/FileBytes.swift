import Glibc

/// Reads whole files with plain POSIX calls, reporting failures as `strerror` text.
enum FileBytes {
  struct Failure: Error, CustomStringConvertible {
    var description: String
  }

  /// - Parameter chunk: bytes read at a time (small for `/proc` files, read per job).
  static func read(_ path: String, chunk size: Int = 1 << 16) throws(Failure) -> [UInt8] {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw Failure(description: String(cString: strerror(errno))) }
    defer { close(fd) }
    var info = stat()
    if fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR {
      throw Failure(description: "it is a directory")
    }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: size)
    while true {
      let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
      if count < 0 {
        if errno == EINTR { continue }
        throw Failure(description: String(cString: strerror(errno)))
      }
      if count == 0 { return bytes }
      bytes += chunk[0..<count]
    }
  }
}
