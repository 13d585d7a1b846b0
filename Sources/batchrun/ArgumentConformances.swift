import ArgumentParser
import BatchrunKit

extension ColorChoice: ExpressibleByArgument {}
extension OutputMode: ExpressibleByArgument {}
extension GraphRenderer.Format: ExpressibleByArgument {}

/// A duration on the command line: `250ms`, `30s`, `5m`, `1h30m` or seconds.
struct DurationArgument: ExpressibleByArgument, Sendable {
  var duration: Duration

  init?(argument: String) {
    guard let duration = DurationText.parse(argument) else { return nil }
    self.duration = duration
  }

  static var defaultCompletionKind: CompletionKind { .default }
}
