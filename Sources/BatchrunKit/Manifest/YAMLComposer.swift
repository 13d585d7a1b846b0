import CYAML

/// Builds a ``YAMLNode`` tree from libyaml's event stream (the system's libyaml, 0.2.5).
///
/// Debian 12 ships libyaml 0.2.5, the latest release. The copy inside Yams that batchrun
/// used before is 0.2.5 with two changes from libyaml's unreleased master: a nesting limit
/// (emulated below, so diagnostics stay where they were) and `[ ? ]`, an explicit key
/// closing a flow list, which 0.2.5 reads as a syntax error and the copy as `[{null: null}]`.
///
/// Anchors and aliases are resolved here; merge keys (`<<`) are left in the tree for
/// the manifest decoder, which knows which mappings may use them. Explicit tags are kept
/// on the nodes and checked against YAML 1.2's core schema.
struct YAMLComposer {
  /// A problem in the YAML itself, and where it starts.
  struct Problem: Error {
    var message: String
    var position: YAMLNode.Position
  }

  /// A composed document: its root, and every tag that is not a core one or does not fit
  /// its node (the tree is still whole, so the manifest can be checked as well).
  struct Document {
    var root: YAMLNode?
    var tagProblems: [Problem]
  }

  /// Most nodes an input may expand to through aliases, against "billion laughs" input.
  static let maximumAliasExpansion = 10_000_000

  /// Most lists and mappings nested in one another, aliases expanded (a manifest needs 4:
  /// the document, `jobs`, a job, its `env`). Deeper trees would exhaust the stack when
  /// freed; libyaml itself stops near 1000 levels.
  static let maximumNesting = 100

  /// What deeper nesting, or libyaml's own limit, is reported as.
  static let nestingMessage =
    "nesting is too deep (at most \(maximumNesting) levels of lists and mappings)"

  /// The nesting limit of the libyaml batchrun read YAML with before (the copy inside
  /// Yams, libyaml's unreleased master): a list or mapping may not start once the scanner's
  /// flow level plus its block indentations reach it. The scanner reads ahead (up to 1024
  /// characters while a key may still follow), so for `[[[[...` this fires near the start,
  /// before ``maximumNesting`` would. libyaml 0.2.5, the latest release and Debian's, has
  /// no such limit; the composer applies it after each event so that deep flow nesting is
  /// still reported where it was.
  static let libyamlNestingLimit = 1000

  /// The line and column (in Unicode scalars) of byte `offset` of `bytes`.
  static func position(ofByte offset: Int, in bytes: UnsafeBufferPointer<UInt8>) -> YAMLNode.Position {
    let end = min(offset, bytes.count)
    var line = 1
    var lineStart = 0
    for index in 0..<end where bytes[index] == UInt8(ascii: "\n") {
      line += 1
      lineStart = index + 1
    }
    let column =
      String(decoding: UnsafeBufferPointer(rebasing: bytes[lineStart..<end]), as: UTF8.self).unicodeScalars
      .count + 1
    return YAMLNode.Position(line: line, column: column)
  }

  /// Composes the single document in `bytes` (no root for an empty stream).
  ///
  /// - Throws: the first syntax error; the document is then not composed.
  static func compose(_ bytes: [UInt8]) throws(Problem) -> Document {
    var composer = Parser()
    let root = try bytes.withUnsafeBufferPointer { (buffer) throws(Problem) -> YAMLNode? in
      try composer.run(buffer)
    }
    return Document(root: root, tagProblems: composer.tagProblems)
  }

  private struct Parser {
    var parser = yaml_parser_t()
    var anchors: [String: Composed] = [:]
    var aliasBudget = YAMLComposer.maximumAliasExpansion
    var input = UnsafeBufferPointer<UInt8>(start: nil, count: 0)
    var tagProblems: [Problem] = []

    mutating func run(_ buffer: UnsafeBufferPointer<UInt8>) throws(Problem) -> YAMLNode? {
      input = buffer
      yaml_parser_initialize(&parser)
      defer { yaml_parser_delete(&parser) }
      yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
      yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
      var event = try next()
      precondition(event.type == YAML_STREAM_START_EVENT)
      yaml_event_delete(&event)
      event = try next()
      if event.type == YAML_STREAM_END_EVENT {
        yaml_event_delete(&event)
        return nil
      }
      yaml_event_delete(&event)  // document start
      let root = try compose(try next(), depth: 0).node
      event = try next()  // document end
      yaml_event_delete(&event)
      event = try next()
      defer { yaml_event_delete(&event) }
      if event.type != YAML_STREAM_END_EVENT {
        throw Problem(
          message: "expected a single document, found another",
          position: Self.position(event.start_mark))
      }
      return root
    }

    mutating func next() throws(Problem) -> yaml_event_t {
      var event = yaml_event_t()
      guard yaml_parser_parse(&parser, &event) == 1 else {
        throw error()
      }
      if let position = libyamlNestingLimitReached(by: event) {
        yaml_event_delete(&event)
        throw Problem(message: YAMLComposer.nestingMessage, position: position)
      }
      return event
    }

    /// Where ``YAMLComposer/libyamlNestingLimit`` stops `event`, the start of a list or
    /// mapping just parsed, or `nil` if it does not: the position of its `[`, `{` or
    /// block start, as that libyaml reported it. Its checks were on the four kinds of
    /// collection start that leave the parser in a first-entry state; indentless lists and
    /// the single-pair mappings inside flow lists were not checked.
    func libyamlNestingLimitReached(by event: yaml_event_t) -> YAMLNode.Position? {
      guard event.type == YAML_SEQUENCE_START_EVENT || event.type == YAML_MAPPING_START_EVENT,
        let top = parser.indents.top, let start = parser.indents.start
      else { return nil }
      let flow: Bool
      switch parser.state {
      case YAML_PARSE_FLOW_SEQUENCE_FIRST_ENTRY_STATE, YAML_PARSE_FLOW_MAPPING_FIRST_KEY_STATE: flow = true
      case YAML_PARSE_BLOCK_SEQUENCE_FIRST_ENTRY_STATE, YAML_PARSE_BLOCK_MAPPING_FIRST_KEY_STATE: flow = false
      default: return nil
      }
      guard top - start >= YAMLComposer.libyamlNestingLimit - Int(parser.flow_level) else { return nil }
      // The event ends where its start token does; a `[` or `{` is one column wide, a block
      // start token none.
      let end = Self.position(event.end_mark)
      return YAMLNode.Position(line: end.line, column: end.column - (flow ? 1 : 0))
    }

    func error() -> Problem {
      let problem = parser.problem.map { String(cString: $0) }
      var message =
        problem ?? (parser.error == YAML_MEMORY_ERROR ? "the YAML is too large to read" : "invalid YAML")
      if let context = parser.context {
        message += " \(String(cString: context))"
      }
      // libyaml's words for its nesting limit (in its master, not 0.2.5) name its API
      // ("set with yaml_set_max_nest_level()").
      if problem?.hasPrefix("Maximum nesting level reached") ?? false {
        message = YAMLComposer.nestingMessage
      }
      guard parser.error == YAML_READER_ERROR else {
        return Problem(message: message, position: Self.position(parser.problem_mark))
      }
      // Reader errors (control characters, NUL) carry a byte offset, not a mark.
      return Problem(
        message: message, position: YAMLComposer.position(ofByte: parser.problem_offset, in: input))
    }

    static func position(_ mark: yaml_mark_t) -> YAMLNode.Position {
      YAMLNode.Position(line: Int(mark.line) + 1, column: Int(mark.column) + 1)
    }

    static func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
      pointer.map { String(cString: $0) }
    }

    /// A composed node, its size in nodes (aliases expanded) and its height in lists and
    /// mappings.
    struct Composed {
      var node: YAMLNode
      var size: Int
      var height: Int
    }

    /// Composes the node that starts with `event` (consumed), inside `depth` lists and mappings.
    mutating func compose(_ first: yaml_event_t, depth: Int) throws(Problem) -> Composed {
      var event = first
      defer { yaml_event_delete(&event) }
      let position = Self.position(event.start_mark)
      switch event.type {
      case YAML_ALIAS_EVENT:
        let name = Self.string(event.data.alias.anchor) ?? ""
        guard let anchored = anchors[name] else {
          throw Problem(message: "unknown alias '*\(name)'", position: position)
        }
        aliasBudget -= anchored.size
        guard aliasBudget >= 0 else {
          throw Problem(message: "aliases expand to too many nodes", position: position)
        }
        guard depth + anchored.height <= YAMLComposer.maximumNesting else {
          throw Problem(message: YAMLComposer.nestingMessage, position: position)
        }
        return anchored
      case YAML_SCALAR_EVENT:
        let scalar = event.data.scalar
        let text = String(
          decoding: UnsafeBufferPointer(start: scalar.value, count: scalar.length), as: UTF8.self)
        let node = YAMLNode.scalar(
          .init(
            text: text, isPlain: scalar.style == YAML_PLAIN_SCALAR_STYLE,
            tag: Self.string(scalar.tag).map(YAMLTag.init), position: position))
        check(node)
        return register(Self.string(scalar.anchor), Composed(node: node, size: 1, height: 0))
      case YAML_SEQUENCE_START_EVENT:
        guard depth < YAMLComposer.maximumNesting else {
          throw Problem(message: YAMLComposer.nestingMessage, position: position)
        }
        let anchor = Self.string(event.data.sequence_start.anchor)
        let tag = Self.string(event.data.sequence_start.tag).map(YAMLTag.init)
        var items: [YAMLNode] = []
        var size = 1
        var height = 1
        while true {
          let child = try next()
          if child.type == YAML_SEQUENCE_END_EVENT {
            var end = child
            yaml_event_delete(&end)
            break
          }
          let item = try compose(child, depth: depth + 1)
          items.append(item.node)
          size += item.size
          height = max(height, item.height + 1)
        }
        let node = YAMLNode.sequence(items, position, tag: tag)
        check(node)
        return register(anchor, Composed(node: node, size: size, height: height))
      case YAML_MAPPING_START_EVENT:
        guard depth < YAMLComposer.maximumNesting else {
          throw Problem(message: YAMLComposer.nestingMessage, position: position)
        }
        let anchor = Self.string(event.data.mapping_start.anchor)
        let tag = Self.string(event.data.mapping_start.tag).map(YAMLTag.init)
        var pairs: [YAMLNode.Pair] = []
        var size = 1
        var height = 1
        while true {
          let keyEvent = try next()
          if keyEvent.type == YAML_MAPPING_END_EVENT {
            var end = keyEvent
            yaml_event_delete(&end)
            break
          }
          let key = try compose(keyEvent, depth: depth + 1)
          let value = try compose(try next(), depth: depth + 1)
          pairs.append(.init(key: key.node, value: value.node))
          size += key.size + value.size
          height = max(height, key.height + 1, value.height + 1)
        }
        let node = YAMLNode.mapping(pairs, position, tag: tag)
        check(node)
        return register(anchor, Composed(node: node, size: size, height: height))
      default:
        throw Problem(message: "unexpected YAML event", position: position)
      }
    }

    /// Records a problem if `node`'s tag is not a core one, or does not fit the node.
    mutating func check(_ node: YAMLNode) {
      guard let tag = node.tag else { return }
      guard let kind = tag.kind else {
        if case .unsupported = tag {
          tagProblems.append(
            Problem(
              message: "unsupported tag \(tag.written): only the YAML 1.2 core schema's tags are supported"
                + " (\(YAMLTag.coreTags)); remove it",
              position: node.position))
        }
        return
      }
      let fits: Bool
      let what: String
      switch node {
      case .scalar(let scalar):
        fits = scalar.value != nil
        what = MessageText.quoted(scalar.text)
      case .sequence:
        fits = tag == .sequence
        what = "a list"
      case .mapping:
        fits = tag == .mapping
        what = "a mapping"
      }
      if !fits {
        tagProblems.append(
          Problem(message: "\(what) is tagged \(tag.written) but is not \(kind)", position: node.position))
      }
    }

    /// Remembers `composed` under `anchor`, if it has one; returns it.
    mutating func register(_ anchor: String?, _ composed: Composed) -> Composed {
      if let anchor { anchors[anchor] = composed }
      return composed
    }
  }
}
