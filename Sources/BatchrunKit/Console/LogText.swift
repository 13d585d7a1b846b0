import Glibc

/// Log text as reports show it.
enum LogText {
  /// The last `maxBytes` bytes of the regular file at `path`, and whether the file holds
  /// more before them; `nil` (with `errno` set) if it cannot be opened.
  static func tail(ofFile path: String, maxBytes: Int) -> (bytes: [UInt8], truncated: Bool)? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var info = stat()
    guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return ([], false) }
    let start = max(0, Int(info.st_size) - maxBytes)
    var bytes = [UInt8](repeating: 0, count: Int(info.st_size) - start)
    var filled = 0
    while filled < bytes.count {
      let count = bytes.withUnsafeMutableBytes { buffer in
        retryingOnInterrupt {
          pread(fd, buffer.baseAddress! + filled, buffer.count - filled, off_t(start + filled))
        }
      }
      if count <= 0 { break }
      filled += count
    }
    bytes.removeLast(bytes.count - filled)
    return (bytes, start > 0)
  }

  /// The last `maxBytes` bytes of the file at `path`, from the start of a line, and
  /// whether anything before them was left out: a first line the window cuts is dropped,
  /// unless it is all there is or `keepingCutLine` (the end of a very long line is worth
  /// showing). `nil` (with `errno` set) if the file cannot be opened.
  static func tailFromLineStart(
    ofFile path: String, maxBytes: Int, keepingCutLine: Bool = false
  ) -> (bytes: ArraySlice<UInt8>, cut: Bool)? {
    guard let (bytes, cut) = tail(ofFile: path, maxBytes: maxBytes) else { return nil }
    if cut, !keepingCutLine, let newline = bytes.firstIndex(of: UInt8(ascii: "\n")), newline + 1 < bytes.count
    {
      return (bytes[(newline + 1)...], cut)
    }
    return (bytes[...], cut)
  }

  /// The last `count` lines of the file at `path`, read from its last `maxBytes` bytes,
  /// and whether anything before them was left out. The first line is whole, as
  /// ``tailFromLineStart(ofFile:maxBytes:keepingCutLine:)`` cuts it. `nil` (with `errno`
  /// set) if the file cannot be opened.
  static func tailLines(
    ofFile path: String, maxBytes: Int, lines count: Int, keepingCutLine: Bool = false
  ) -> (lines: [String], cut: Bool)? {
    guard let tail = tailFromLineStart(ofFile: path, maxBytes: maxBytes, keepingCutLine: keepingCutLine)
    else {
      return nil
    }
    var cut = tail.cut
    var lines = tail.bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
    if lines.last?.isEmpty == true { lines.removeLast() }
    if lines.count > count {
      lines.removeFirst(lines.count - count)
      cut = true
    }
    return (lines.map { String(decoding: $0, as: UTF8.self) }, cut)
  }

  /// Whether a log path from a report is relative and stays inside the run directory
  /// (a report can be edited).
  static func staysInsideRunDirectory(_ relative: String) -> Bool {
    !relative.isEmpty && !relative.hasPrefix("/") && !relative.split(separator: "/").contains("..")
  }

  /// `text` without terminal escape sequences (colours, cursor moves, titles, links).
  static func removingEscapeSequences(_ text: String) -> String {
    guard text.utf8.contains(0x1B) else { return text }
    var out = String.UnicodeScalarView()
    var scalars = text.unicodeScalars[...]
    while let scalar = scalars.popFirst() {
      guard scalar == "\u{1B}" else {
        out.append(scalar)
        continue
      }
      switch scalars.first?.value {
      case 0x5B:  // CSI `ESC [`: parameter and intermediate bytes, then one final byte
        scalars.removeFirst()
        while let next = scalars.first, (0x20...0x3F).contains(next.value) { scalars.removeFirst() }
        if let final = scalars.first, (0x40...0x7E).contains(final.value) { scalars.removeFirst() }
      case 0x5D:  // OSC `ESC ]`: up to BEL or `ESC \`, within the line
        scalars.removeFirst()
        while let next = scalars.first, next != "\n" {
          scalars.removeFirst()
          if next == "\u{07}" { break }
          if next == "\u{1B}" {
            if scalars.first == "\\" { scalars.removeFirst() }
            break
          }
        }
      case let next? where (0x30...0x7E).contains(next):  // two-character sequences
        scalars.removeFirst()
      default:  // a lone ESC
        break
      }
    }
    return String(out)
  }
}
