@testable import BatchrunKit

extension JSON {
  /// This report, read as batchrun reads a report file; a test's own report always passes.
  var document: ReportDocument {
    do {
      return try ReportDocument(json: self)
    } catch {
      fatalError("a test's own report does not pass: \(error)")
    }
  }
}
