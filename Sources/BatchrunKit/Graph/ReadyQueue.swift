/// The jobs ready to start, highest priority first (critical path first, ties in
/// manifest order).
public struct ReadyQueue: Sendable {
  private var heap: Heap<Int>

  public init(plan: Plan) {
    heap = Heap { [plan] a, b in plan.startsBefore(a, b) }
  }

  public var isEmpty: Bool { heap.isEmpty }
  public var count: Int { heap.count }

  public mutating func push(_ job: Int) {
    heap.push(job)
  }

  /// Removes and returns the job that should start next.
  public mutating func pop() -> Int? {
    heap.pop()
  }
}
