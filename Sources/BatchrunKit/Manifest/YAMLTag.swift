/// An explicit tag on a YAML node, as libyaml resolves its handle (`!!str` arrives as
/// `tag:yaml.org,2002:str`, and so does `!<tag:yaml.org,2002:str>`).
///
/// Manifests are read with YAML 1.2's core schema, so only its tags mean something: `!!str 5`
/// is a string, `!!int "5"` an integer. Any other tag (`!!binary`, `!!timestamp`, `!custom`)
/// is a diagnostic, never ignored.
enum YAMLTag: Sendable, Hashable {
  case string
  case integer
  case float
  case boolean
  case null
  case sequence
  case mapping
  /// `!` alone, the non-specific tag: a scalar written with it is a string.
  case nonSpecific
  /// Any other tag, as libyaml gives it.
  case unsupported(String)

  /// The prefix the `!!` handle stands for.
  static let corePrefix = "tag:yaml.org,2002:"

  /// The tags the core schema defines, as written in messages.
  static let coreTags = "!!str, !!int, !!float, !!bool, !!null, !!seq, !!map"

  /// The tag for libyaml's resolved tag text.
  init(_ text: String) {
    guard text.hasPrefix(Self.corePrefix) else {
      self = text == "!" ? .nonSpecific : .unsupported(text)
      return
    }
    switch text.dropFirst(Self.corePrefix.count) {
    case "str": self = .string
    case "int": self = .integer
    case "float": self = .float
    case "bool": self = .boolean
    case "null": self = .null
    case "seq": self = .sequence
    case "map": self = .mapping
    default: self = .unsupported(text)
    }
  }

  /// The tag as a user writes it: `!!str`, `!custom`, `!<tag:example.com,2026:x>`.
  var written: String {
    switch self {
    case .string: "!!str"
    case .integer: "!!int"
    case .float: "!!float"
    case .boolean: "!!bool"
    case .null: "!!null"
    case .sequence: "!!seq"
    case .mapping: "!!map"
    case .nonSpecific: "!"
    case .unsupported(let text):
      if text.hasPrefix(Self.corePrefix) {
        "!!" + text.dropFirst(Self.corePrefix.count)
      } else if text.hasPrefix("!") {
        text
      } else {
        "!<\(text)>"
      }
    }
  }

  /// What a node with this tag must be, for messages: "an integer", "a list"; `nil` for
  /// tags that say nothing (`!`) or that batchrun does not support.
  var kind: String? {
    switch self {
    case .string: "a string"
    case .integer: "an integer"
    case .float: "a number"
    case .boolean: "true or false"
    case .null: "null"
    case .sequence: "a list"
    case .mapping: "a mapping"
    case .nonSpecific, .unsupported: nil
    }
  }
}
