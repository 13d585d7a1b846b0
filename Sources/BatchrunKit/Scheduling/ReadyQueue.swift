/// The jobs ready to start, highest priority first: a binary heap of job indices.
public struct ReadyQueue: Sendable {
  private var heap: [Int] = []
  private let plan: Plan

  public init(plan: Plan) {
    self.plan = plan
  }

  public var isEmpty: Bool { heap.isEmpty }
  public var count: Int { heap.count }

  public mutating func push(_ job: Int) {
    heap.append(job)
    var child = heap.count - 1
    while child > 0 {
      let parent = (child - 1) / 2
      guard plan.startsBefore(heap[child], heap[parent]) else { break }
      heap.swapAt(child, parent)
      child = parent
    }
  }

  /// Removes and returns the job that should start next.
  public mutating func pop() -> Int? {
    guard !heap.isEmpty else { return nil }
    heap.swapAt(0, heap.count - 1)
    let top = heap.removeLast()
    var parent = 0
    while true {
      let left = 2 * parent + 1
      let right = left + 1
      var first = parent
      if left < heap.count, plan.startsBefore(heap[left], heap[first]) { first = left }
      if right < heap.count, plan.startsBefore(heap[right], heap[first]) { first = right }
      guard first != parent else { break }
      heap.swapAt(parent, first)
      parent = first
    }
    return top
  }
}
