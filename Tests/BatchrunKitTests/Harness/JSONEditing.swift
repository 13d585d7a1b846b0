@testable import BatchrunKit

/// One step into a ``JSON`` value: an object's key or an array's index.
enum JSONStep: Sendable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, CustomStringConvertible {
  case key(String)
  case index(Int)

  init(stringLiteral value: String) { self = .key(value) }
  init(integerLiteral value: Int) { self = .index(value) }

  var description: String {
    switch self {
    case .key(let key): ".\(key)"
    case .index(let index): "[\(index)]"
    }
  }
}

extension JSON {
  /// A copy with the value at `path` changed by `change` (`nil` in: absent; `nil` out: remove it).
  func editing(_ path: [JSONStep], _ change: (inout JSON?) -> Void) -> JSON {
    guard let step = path.first else {
      var value: JSON? = self
      change(&value)
      return value ?? .null
    }
    let rest = Array(path.dropFirst())
    switch (step, self) {
    case (.key(let key), .object(var members)):
      let position = members.firstIndex { $0.0 == key }
      var value = position.map { members[$0].1 }
      if rest.isEmpty {
        change(&value)
      } else {
        value = value?.editing(rest, change)
      }
      switch (position, value) {
      case (let position?, let value?): members[position].1 = value
      case (let position?, nil): members.remove(at: position)
      case (nil, let value?): members.append((key, value))
      case (nil, nil): break
      }
      return .object(members)
    case (.index(let index), .array(var items)) where items.indices.contains(index):
      var value: JSON? = items[index]
      if rest.isEmpty {
        change(&value)
      } else {
        value = value?.editing(rest, change)
      }
      if let value { items[index] = value } else { items.remove(at: index) }
      return .array(items)
    default:
      return self
    }
  }

  /// A copy without the member at `path`.
  func removing(_ path: JSONStep...) -> JSON {
    editing(path) { $0 = nil }
  }

  /// A copy with the value at `path` set (or added) to `value`.
  func setting(_ path: JSONStep..., to value: JSON) -> JSON {
    editing(path) { $0 = value }
  }

  /// The value at `path`, if there is one.
  func value(at path: JSONStep...) -> JSON? {
    var current: JSON? = self
    for step in path {
      switch (step, current) {
      case (.key(let key), let value?): current = value[key]
      case (.index(let index), .array(let items)?):
        current = items.indices.contains(index) ? items[index] : nil
      default: return nil
      }
    }
    return current
  }
}
