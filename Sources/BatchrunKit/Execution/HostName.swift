import Glibc

/// This machine's name and system, read once: reports and attempts carry them.
enum HostName {
  /// `gethostname`.
  static let current: String = {
    var name = [CChar](repeating: 0, count: 256)
    gethostname(&name, name.count)
    return String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }()

  /// `Linux 6.1.0-28-amd64`: the kernel's name and release.
  static let system: String = {
    var system = utsname()
    uname(&system)
    let name = withUnsafeBytes(of: &system.sysname) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
    let release = withUnsafeBytes(of: &system.release) {
      String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self)
    }
    return "\(name) \(release)"
  }()
}
