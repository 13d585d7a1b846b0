import BatchrunKit
import Glibc

/// Writing to the standard streams, and printing errors as diagnostics.
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
  static func report(_ failure: ManifestError, color: ColorChoice) -> Int32 {
    print(failure.diagnostics, color: color)
    return failure.exitCode
  }

  /// Prints `batchrun: error: MESSAGE` (or `warning`) on standard error.
  static func fail(_ message: String, _ severity: Diagnostic.Severity = .error, color: ColorChoice = .auto) {
    print([Diagnostic(severity, at: nil, message)], color: color)
  }

  private static func print(_ diagnostics: [Diagnostic], color: ColorChoice) {
    let printer = DiagnosticPrinter(
      useColor: color.enabled(for: STDERR_FILENO, environment: Environment.current))
    error(printer.format(diagnostics))
  }
}
