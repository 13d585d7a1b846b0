/// Where the console's text goes: standard output behind a ``ConsoleOutput`` in the
/// tool, a closure in tests and library hosts.
public protocol ConsoleSink: Sendable {
  /// Queues `text`. A `droppable` text (a job's own output, a redraw of the status line)
  /// may be refused when the console is behind; returns whether it was taken.
  @discardableResult
  func write(_ text: String, droppable: Bool) -> Bool

  /// Whether droppable text would be taken now: when not, a job's output need not even
  /// be read.
  var hasRoom: Bool { get }

  /// The descriptor the text ends up in, if it is one: a report asked for at the same
  /// file (`--report /dev/stdout`) goes through the sink, in order with the rest.
  var descriptor: Int32? { get }
}

extension ConsoleSink {
  var descriptor: Int32? { nil }
  var hasRoom: Bool { true }
}

/// A sink that hands every text to a closure at once and never drops any.
struct ClosureConsoleSink: ConsoleSink {
  private let body: @Sendable (String) -> Void

  init(_ body: @escaping @Sendable (String) -> Void) {
    self.body = body
  }

  func write(_ text: String, droppable: Bool) -> Bool {
    body(text)
    return true
  }
}
