/// Reading mappings and scalars, each problem reported as a diagnostic at its position.
extension ManifestDecoder {
  // MARK: - Mappings

  /// A mapping's entries with `<<` merge keys expanded; reports duplicate keys when
  /// `duplicate` names them ("key", "job id"), and returns `nil` for a non-mapping.
  mutating func entries(of node: YAMLNode, what: String, duplicate: String?) -> [Entry]? {
    var dropped: [Entry] = []
    return entries(of: node, what: what, duplicate: duplicate, dropped: &dropped)
  }

  /// ``entries(of:what:duplicate:)``, and in `dropped` the entries left out as duplicates.
  mutating func entries(
    of node: YAMLNode, what: String, duplicate: String?, dropped: inout [Entry]
  ) -> [Entry]? {
    guard case .mapping(let pairs, _, _) = node else {
      if !node.isNull || duplicate != nil {
        error(node.position, "\(what) must be a mapping, not \(node.kindDescription)")
      }
      return node.isNull ? [] : nil
    }
    var result: [Entry] = []
    result.reserveCapacity(pairs.count)
    var seen: [String: YAMLNode.Position] = [:]
    var merged: [Entry] = []
    for pair in pairs {
      guard case .scalar(let key) = pair.key else {
        if duplicate != nil {
          error(pair.key.position, "keys in \(what) must be strings, not \(pair.key.kindDescription)")
        }
        continue
      }
      if key.text == "<<", key.isPlain, key.tag == nil {
        merged += mergeEntries(pair.value)
        continue
      }
      if let first = seen[key.text] {
        if duplicate == "job id" {
          error(
            key.position, "duplicate job id '\(key.text)' (first defined at \(location(first).lineColumn))")
        } else if let duplicate {
          error(
            key.position,
            "duplicate \(duplicate) '\(key.text)' in \(what) (first at \(location(first).lineColumn))")
        }
        dropped.append(Entry(key: key.text, keyPosition: key.position, value: pair.value))
        continue
      }
      seen[key.text] = key.position
      result.append(Entry(key: key.text, keyPosition: key.position, value: pair.value))
    }
    for entry in merged where seen[entry.key] == nil {
      seen[entry.key] = entry.keyPosition
      result.append(entry)
    }
    return result
  }

  /// The entries a `<<` value brings: one mapping, or a list of them (earlier ones win).
  mutating func mergeEntries(_ value: YAMLNode) -> [Entry] {
    let sources: [YAMLNode]
    switch value {
    case .mapping: sources = [value]
    case .sequence(let items, _, _): sources = items
    default:
      error(
        value.position, "a merge key '<<' takes a mapping or a list of mappings, not \(value.kindDescription)"
      )
      return []
    }
    var result: [Entry] = []
    var keys = Set<String>()
    for source in sources {
      guard case .mapping = source else {
        error(source.position, "a merge key '<<' takes mappings, not \(source.kindDescription)")
        continue
      }
      for entry in entries(of: source, what: "a merged mapping", duplicate: nil) ?? []
      where keys.insert(entry.key).inserted {
        result.append(entry)
      }
    }
    return result
  }

  // MARK: - Scalars

  mutating func string(_ node: YAMLNode, _ what: String, allowEmpty: Bool) -> String? {
    guard case .scalar(let scalar) = node, !node.isNull else {
      if node.isNull, allowEmpty { return "" }
      error(node.position, "\(what) must be a string, not \(node.kindDescription)")
      return nil
    }
    if !allowEmpty, scalar.text.isEmpty {
      error(node.position, "\(what) is empty")
      return nil
    }
    return scalar.text
  }

  /// An integer, or a tagged `!!int`; one beyond `Int`'s range is saturated (see ``YAMLNode/Value``).
  mutating func integer(_ node: YAMLNode, _ what: String) -> Int? {
    guard case .scalar(let scalar) = node else {
      error(node.position, "\(what) must be a whole number, not \(node.kindDescription)")
      return nil
    }
    if case .integer(let value)? = scalar.value {
      return value
    }
    // A fraction is shown as written, with its tag: '1.5', '!!float 2'.
    let found =
      node.kindDescription == "a number"
      ? "'\(scalar.tag.map { "\($0.written) " } ?? "")\(scalar.text)'" : node.kindDescription
    error(node.position, "\(what) must be a whole number, not \(found)")
    return nil
  }

  /// An integer within `range`: above it is "too large", below it "must be at least".
  /// Messages show the number as written, however large.
  mutating func integer(_ node: YAMLNode, _ what: String, in range: ClosedRange<Int>) -> Int? {
    guard let value = integer(node, what) else { return nil }
    let written = node.scalarText ?? "\(value)"
    if value > range.upperBound {
      error(node.position, "\(what) is too large: \(written) (at most \(range.upperBound))")
    } else if value < range.lowerBound {
      let least = range.lowerBound == 0 ? "0 or more" : "at least \(range.lowerBound)"
      error(node.position, "\(what) must be \(least), got \(written)")
    } else {
      return value
    }
    return nil
  }

  mutating func boolean(_ node: YAMLNode, _ what: String) -> Bool? {
    if case .scalar(let scalar) = node, case .boolean(let value)? = scalar.value {
      return value
    }
    var message = "\(what) must be true or false, not \(node.kindDescription)"
    if let text = node.scalarText, ["yes", "no", "on", "off", "y", "n"].contains(text.lowercased()) {
      message += " (write \(["yes", "on", "y"].contains(text.lowercased()) ? "true" : "false"))"
    }
    error(node.position, message)
    return nil
  }

  mutating func duration(_ node: YAMLNode, _ what: String) -> Duration? {
    guard case .scalar(let scalar) = node, !node.isNull else {
      error(node.position, "\(what) must be a duration, not \(node.kindDescription)")
      return nil
    }
    do {
      return try DurationText.value(of: scalar.text)
    } catch let problem {
      switch problem {
      case .tooLarge:
        error(node.position, "\(what) is too large: \(scalar.text) (at most \(DurationText.maximumText))")
      case .invalid:
        error(
          node.position,
          "invalid duration '\(scalar.text)' for \(what); write e.g. 250ms, 30s, 5m, 1h30m or a number of seconds"
        )
      }
      return nil
    }
  }

  /// The scalar nodes of a list of strings (or of one string, when `allowScalar`).
  mutating func stringNodes(_ node: YAMLNode, _ what: String, allowScalar: Bool) -> [YAMLNode] {
    switch node {
    case .scalar where node.isNull: return []
    case .scalar: if allowScalar { return [node] }
    case .sequence(let items, _, _):
      return items.filter {
        guard case .scalar = $0, !$0.isNull else {
          error($0.position, "items of \(what) must be strings, not \($0.kindDescription)")
          return false
        }
        return true
      }
    case .mapping: break
    }
    error(
      node.position, "\(what) must be a list\(allowScalar ? " or a string" : ""), not \(node.kindDescription)"
    )
    return []
  }

  mutating func stringList(_ node: YAMLNode, _ what: String, allowScalar: Bool) -> [String]? {
    let before = diagnostics.count
    let items = stringNodes(node, what, allowScalar: allowScalar).compactMap {
      withoutNUL($0.scalarText ?? "", at: $0.position, "an item of \(what)")
    }
    return diagnostics.count == before ? items : nil
  }

  /// `text`, unless it holds a NUL character, which is then reported at `position`: the
  /// system ends an argument, a path or an environment entry at the first NUL, so
  /// `run: "before\0after"` would run `before` while the report says otherwise.
  mutating func withoutNUL(_ text: String, at position: YAMLNode.Position, _ what: String) -> String? {
    guard text.utf8.contains(0) else { return text }
    error(
      position,
      "\(what) contains a NUL character (\\0), which would cut it short when passed to the system;"
        + " remove it")
    return nil
  }
}
