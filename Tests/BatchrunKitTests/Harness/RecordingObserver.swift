@testable import BatchrunKit
import Synchronization

/// A ``RunObserver`` that keeps every event it is told of, in order.
final class RecordingObserver: RunObserver {
  enum Entry: Sendable, Equatable {
    case attemptStarted(job: String, attempt: Int, log: String)
    case attemptWillRetry(job: String, attempt: Int, status: JobResult.Status)
    case jobFinished(job: String, status: JobResult.Status)
  }

  private let storage = Mutex([Entry]())

  var entries: [Entry] { storage.withLock { $0 } }

  /// Job ids in the order they were reported finished (once per report).
  var finished: [String] {
    entries.compactMap { entry in
      if case .jobFinished(let job, _) = entry { return job }
      return nil
    }
  }

  func attemptStarted(_ job: Job, attempt: Int, log: String) {
    storage.withLock { $0.append(.attemptStarted(job: job.id, attempt: attempt, log: log)) }
  }

  func attemptWillRetry(_ job: Job, record: AttemptRecord) {
    storage.withLock {
      $0.append(.attemptWillRetry(job: job.id, attempt: record.attempt, status: record.status))
    }
  }

  func jobFinished(_ job: Job, result: JobResult) {
    storage.withLock { $0.append(.jobFinished(job: job.id, status: result.status)) }
  }
}
