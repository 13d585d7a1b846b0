import BatchrunKit
import Glibc

/// Writing to the standard streams, and printing manifest errors.
enum Console {
  static func out(_ text: String) {
    write(text, to: STDOUT_FILENO)
  }

  static func error(_ text: String) {
    write(text, to: STDERR_FILENO)
  }

  static func write(_ text: String, to fd: Int32) {
    FileBytes.writeAll(fd, text)
  }

  /// Prints why a manifest failed to load and returns the exit code for it.
  static func report(_ failure: ManifestError, color: ColorChoice) -> ExitCodeValue {
    switch failure {
    case .unreadable:
      error(failure.messages.joined(separator: "\n") + "\n")
    case .invalid(let diagnostics):
      let printer = DiagnosticPrinter(
        useColor: color.enabled(for: STDERR_FILENO, environment: Environment.current))
      error(printer.format(diagnostics))
    }
    return failure.exitCode
  }

  typealias ExitCodeValue = Int32
}
