/// The jobs ready to start, highest priority first (critical path first, ties in
/// manifest order).
struct ReadyQueue: Sendable {
  private var heap: Heap<Int>

  init(plan: Plan) {
    heap = Heap { [plan] a, b in plan.startsBefore(a, b) }
  }

  var isEmpty: Bool { heap.isEmpty }
  var count: Int { heap.count }

  mutating func push(_ job: Int) {
    heap.push(job)
  }

  /// Removes and returns the job that should start next.
  mutating func pop() -> Int? {
    heap.pop()
  }
}
