/// A YAML node with the position it was read from.
///
/// Unlike Yams' own composer, which stops at the first duplicate key, this tree keeps
/// every pair of a mapping in order, so validation can point at each duplicate.
public indirect enum YAMLNode: Sendable {
  case scalar(Scalar)
  case sequence([YAMLNode], Position)
  case mapping([Pair], Position)

  /// A 1-based line and column in the source.
  public struct Position: Sendable, Hashable {
    public var line: Int
    public var column: Int
  }

  /// A scalar's text and how it was written.
  public struct Scalar: Sendable {
    public var text: String
    /// Quoted or block scalars are always strings; plain ones may be numbers or booleans.
    public var isPlain: Bool
    /// An explicit tag such as `!!str`, if any.
    public var tag: String?
    public var position: Position
  }

  /// One key and its value in a mapping.
  public struct Pair: Sendable {
    public var key: YAMLNode
    public var value: YAMLNode
  }

  public var position: Position {
    switch self {
    case .scalar(let scalar): scalar.position
    case .sequence(_, let position), .mapping(_, let position): position
    }
  }

  /// The scalar's text if this is a scalar.
  public var scalarText: String? {
    if case .scalar(let scalar) = self { return scalar.text }
    return nil
  }

  /// A plain scalar that YAML reads as null (`~`, `null`, or nothing at all).
  public var isNull: Bool {
    guard case .scalar(let scalar) = self, scalar.isPlain, scalar.tag == nil else { return false }
    return ["", "~", "null", "Null", "NULL"].contains(scalar.text)
  }

  /// The kind of node, for messages: "a string", "a list", "a mapping".
  public var kindDescription: String {
    switch self {
    case .scalar(let scalar):
      if isNull { return "null" }
      guard scalar.isPlain, scalar.tag == nil else { return "a string" }
      if Bool(yaml: scalar.text) != nil { return "a boolean" }
      if Int(scalar.text) != nil || Double(scalar.text) != nil { return "a number" }
      return "a string"
    case .sequence: return "a list"
    case .mapping: return "a mapping"
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
