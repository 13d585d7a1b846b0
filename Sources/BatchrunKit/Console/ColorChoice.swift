import Glibc

/// `--color`: when to use escape codes for colour.
public enum ColorChoice: String, Sendable, CaseIterable {
  case auto, always, never

  /// Whether to colour output written to `fd`: `always` wins over NO_COLOR; `auto`
  /// needs a terminal and no NO_COLOR.
  public func enabled(for fd: Int32, environment: [String: String]) -> Bool {
    switch self {
    case .always: true
    case .never: false
    case .auto: (environment["NO_COLOR"] ?? "").isEmpty && isatty(fd) == 1
    }
  }
}
