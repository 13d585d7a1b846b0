/// A YAML node with the position it was read from.
///
/// Unlike Yams' own composer, which stops at the first duplicate key, this tree keeps
/// every pair of a mapping in order, so validation can point at each duplicate.
indirect enum YAMLNode: Sendable {
  case scalar(Scalar)
  case sequence([YAMLNode], Position, tag: YAMLTag?)
  case mapping([Pair], Position, tag: YAMLTag?)

  /// A 1-based line and column in the source.
  struct Position: Sendable, Hashable {
    var line: Int
    var column: Int
  }

  /// A scalar's text and how it was written.
  struct Scalar: Sendable {
    var text: String
    /// Quoted or block scalars are always strings; plain ones may be numbers or booleans.
    var isPlain: Bool
    /// Its explicit tag (`!!str`, `!!int`, ...), if any.
    var tag: YAMLTag?
    var position: Position

    /// What the scalar is under the YAML 1.2 core schema, its tag honoured; `nil` when the
    /// tag is not a core scalar tag or does not fit the text (`!!int abc`).
    var value: Value? { YAMLCoreSchema.value(of: self) }
  }

  /// A scalar's value under the YAML 1.2 core schema.
  enum Value: Sendable, Hashable {
    case null
    case boolean(Bool)
    /// An integer; one beyond `Int`'s range is saturated to `Int.min` or `Int.max` (the
    /// scalar's text says what was written).
    case integer(Int)
    case float(Double)
    /// A string: the scalar's text.
    case string
  }

  /// One key and its value in a mapping.
  struct Pair: Sendable {
    var key: YAMLNode
    var value: YAMLNode
  }

  var position: Position {
    switch self {
    case .scalar(let scalar): scalar.position
    case .sequence(_, let position, _), .mapping(_, let position, _): position
    }
  }

  /// The node's explicit tag, if any.
  var tag: YAMLTag? {
    switch self {
    case .scalar(let scalar): scalar.tag
    case .sequence(_, _, let tag), .mapping(_, _, let tag): tag
    }
  }

  /// The scalar's text if this is a scalar.
  var scalarText: String? {
    if case .scalar(let scalar) = self { return scalar.text }
    return nil
  }

  /// A scalar that YAML reads as null: plain `~`, `null` or nothing at all, or tagged `!!null`.
  var isNull: Bool {
    guard case .scalar(let scalar) = self else { return false }
    return scalar.value == .null
  }

  /// The kind of node, for messages: "a string", "a list", "a mapping".
  var kindDescription: String {
    switch self {
    case .scalar(let scalar):
      switch scalar.value {
      case .null?: "null"
      case .boolean?: "a boolean"
      case .integer?, .float?: "a number"
      case .string?, nil: "a string"
      }
    case .sequence: "a list"
    case .mapping: "a mapping"
    }
  }
}

extension Bool {
  /// YAML 1.2 core schema booleans.
  init?(yaml text: String) {
    switch text {
    case "true", "True", "TRUE": self = true
    case "false", "False", "FALSE": self = false
    default: return nil
    }
  }
}
