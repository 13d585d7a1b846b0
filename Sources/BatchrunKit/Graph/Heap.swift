/// A binary heap: the smallest element by `precedes` on top.
struct Heap<Element: Sendable>: Sendable {
  private var items: [Element] = []
  private let precedes: @Sendable (Element, Element) -> Bool

  init(by precedes: @escaping @Sendable (Element, Element) -> Bool) {
    self.precedes = precedes
  }

  var peek: Element? { items.first }
  var isEmpty: Bool { items.isEmpty }
  var count: Int { items.count }

  mutating func push(_ element: Element) {
    items.append(element)
    var child = items.count - 1
    while child > 0 {
      let parent = (child - 1) / 2
      guard precedes(items[child], items[parent]) else { break }
      items.swapAt(child, parent)
      child = parent
    }
  }

  mutating func pop() -> Element? {
    guard !items.isEmpty else { return nil }
    items.swapAt(0, items.count - 1)
    let top = items.removeLast()
    var parent = 0
    while true {
      let left = 2 * parent + 1
      let right = left + 1
      var smallest = parent
      if left < items.count, precedes(items[left], items[smallest]) { smallest = left }
      if right < items.count, precedes(items[right], items[smallest]) { smallest = right }
      if smallest == parent { break }
      items.swapAt(parent, smallest)
      parent = smallest
    }
    return top
  }
}
