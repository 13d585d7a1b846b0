import Glibc

/// Reads whole files and writes whole buffers with plain POSIX calls.
public enum FileBytes {
  /// - Parameter chunk: bytes read at a time (small for `/proc` files, read per job).
  static func read(_ path: String, chunk size: Int = 1 << 16) throws(SystemFailure) -> [UInt8] {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw SystemFailure("cannot read", path: path) }
    defer { close(fd) }
    var info = stat()
    if fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR {
      throw SystemFailure("cannot read", path: path, reason: "it is a directory")
    }
    // A regular file's size is known: it is read into one buffer, with room for the read
    // that sees its end (or what it grew by meanwhile).
    let expected = (info.st_mode & S_IFMT) == S_IFREG ? Int(info.st_size) : 0
    var bytes: [UInt8] = []
    bytes.reserveCapacity(expected + size)
    while true {
      let start = bytes.count
      let step = max(size, expected + 1 - start)
      bytes.append(contentsOf: repeatElement(0, count: step))
      let count = bytes.withUnsafeMutableBytes { buffer in
        retryingOnInterrupt { Glibc.read(fd, buffer.baseAddress! + start, step) }
      }
      bytes.removeLast(step - max(count, 0))
      if count < 0 { throw SystemFailure("cannot read", path: path) }
      if count == 0 { return bytes }
    }
  }

  /// ``read(_:chunk:)`` of a file that must be a regular one: a device or a FIFO (which
  /// may never end, as `/dev/zero` does not) is refused.
  static func readRegular(_ path: String) throws(SystemFailure) -> [UInt8] {
    var info = stat()
    if stat(path, &info) == 0, (info.st_mode & S_IFMT) != S_IFREG, (info.st_mode & S_IFMT) != S_IFDIR {
      throw SystemFailure("cannot read", path: path, reason: "it is not a regular file")
    }
    return try read(path)
  }

  /// Writes all of `bytes` to `fd`, resuming after interrupted and short writes; `false`
  /// (with `errno` set) on an error. `progress` hears the size of each write that went through.
  @discardableResult
  static func writeAll(
    _ fd: Int32, _ bytes: UnsafeRawBufferPointer, progress: ((Int) -> Void)? = nil
  ) -> Bool {
    var offset = 0
    while offset < bytes.count {
      let written = retryingOnInterrupt { write(fd, bytes.baseAddress! + offset, bytes.count - offset) }
      if written < 0 { return false }
      offset += written
      progress?(written)
    }
    return true
  }

  /// Writes all of `text` to `fd`, as the bytes version does.
  @discardableResult
  public static func writeAll(_ fd: Int32, _ text: String) -> Bool {
    var text = text
    return text.withUTF8 { writeAll(fd, UnsafeRawBufferPointer($0)) }
  }

  /// Writes all of `bytes` to `fd`, as the raw-buffer version does.
  @discardableResult
  static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
    bytes.withUnsafeBytes { writeAll(fd, $0) }
  }
}
