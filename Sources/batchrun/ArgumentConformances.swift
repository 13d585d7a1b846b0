import ArgumentParser
import BatchrunKit

extension ColorChoice: ExpressibleByArgument {}
extension OutputMode: ExpressibleByArgument {}
extension GraphRenderer.Format: ExpressibleByArgument {}

/// A duration on the command line: `250ms`, `30s`, `5m`, `1h30m` or seconds.
///
/// A duration longer than ``DurationText/maximum`` parses, so that the command's
/// `validate()` can say it is too large rather than the parser's "invalid".
struct DurationArgument: ExpressibleByArgument, Sendable {
  var duration: Duration
  var text: String
  var isTooLarge = false

  init?(argument: String) {
    text = argument
    do {
      duration = try DurationText.value(of: argument)
    } catch .tooLarge {
      duration = DurationText.maximum
      isTooLarge = true
    } catch {
      return nil
    }
  }

  /// Throws a usage error if the duration is too large for `option`.
  func validate(as option: String) throws {
    if isTooLarge {
      throw ValidationError("\(option) is too large: \(text) (at most \(DurationText.maximumText)).")
    }
  }

  static var defaultCompletionKind: CompletionKind { .default }
}
