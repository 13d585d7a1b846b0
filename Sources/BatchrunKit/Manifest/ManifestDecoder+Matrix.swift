/// A job's `matrix`: axes, `exclude` and `include` (docs/manifest.md, "matrix").
extension ManifestDecoder {
  /// A decoded matrix: its axes in order, and every combination it gives, in order.
  struct Matrix {
    var axes: [(name: String, values: [String])]
    /// One value per axis, in axis order.
    var combinations: [[String]]
  }

  /// The matrix a job's `matrix:` value gives, or `nil` after reporting why there is none.
  mutating func matrix(_ node: YAMLNode, job: String) -> Matrix? {
    let what = "'matrix' in job '\(job)'"
    guard let items = entries(of: node, what: what, duplicate: "key") else { return nil }
    var axes: [(name: String, values: [String])] = []
    var excludes: [Entry] = []
    var includes: [Entry] = []
    for item in items {
      switch item.key {
      case "exclude": excludes.append(item)
      case "include": includes.append(item)
      default:
        guard Self.isAxisName(item.key) else {
          error(
            item.keyPosition,
            "invalid matrix axis name \(MessageText.quoted(item.key)) in job '\(job)': use letters, digits, '_'"
              + " and '-', starting with a letter or '_'")
          continue
        }
        let values = axisValues(item.value, "axis '\(item.key)' of the matrix of job '\(job)'")
        if let values { axes.append((item.key, values)) }
      }
    }
    guard !axes.isEmpty else {
      if !items.contains(where: { $0.key != "exclude" && $0.key != "include" }) {
        error(
          node.position, "\(what) has no axes; give each axis a list of values, e.g. 'os: [debian, alpine]'")
      }
      return nil
    }
    let names = axes.map(\.name)
    var size = 1
    for axis in axes {
      size =
        size.multipliedReportingOverflow(by: axis.values.count).overflow ? .max : size * axis.values.count
    }
    guard size <= ManifestLimits.matrixJobs else {
      error(
        node.position,
        "the matrix of job '\(job)' gives \(size == .max ? "too many" : String(size)) combinations"
          + " (at most \(ManifestLimits.matrixJobs))")
      return nil
    }
    var combinations: [[String]] = axes.isEmpty ? [] : [[]]
    for axis in axes {
      combinations = combinations.flatMap { prefix in axis.values.map { prefix + [$0] } }
    }
    for entry in excludes {
      for rule in rules(entry, job: job, axes: names, complete: false) {
        combinations.removeAll { combination in
          rule.allSatisfy { combination[names.firstIndex(of: $0.key)!] == $0.value }
        }
      }
    }
    for entry in includes {
      for rule in rules(entry, job: job, axes: names, complete: true) {
        let combination = names.map { rule[$0]! }
        if !combinations.contains(combination) { combinations.append(combination) }
      }
    }
    if combinations.isEmpty {
      error(node.position, "the matrix of job '\(job)' is empty: 'exclude' drops every combination")
      return nil
    }
    return Matrix(axes: axes, combinations: combinations)
  }

  /// Axis names: what `${{ matrix.AXIS }}` can name.
  static func isAxisName(_ name: String) -> Bool {
    guard let first = name.unicodeScalars.first,
      first == "_" || (first.isASCII && first.properties.isAlphabetic)
    else { return false }
    return name.unicodeScalars.allSatisfy {
      $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_" || $0 == "-")
    }
  }

  /// An axis's values: a non-empty list of scalars, as strings.
  mutating func axisValues(_ node: YAMLNode, _ what: String) -> [String]? {
    guard case .sequence(let items, _, _) = node else {
      error(node.position, "\(what) must be a list of values, not \(node.kindDescription)")
      return nil
    }
    guard !items.isEmpty else {
      error(node.position, "\(what) is empty; give it at least one value")
      return nil
    }
    var values: [String] = []
    for item in items {
      guard case .scalar(let scalar) = item, !item.isNull else {
        error(item.position, "values of \(what) must be scalars, not \(item.kindDescription)")
        return nil
      }
      values.append(scalar.text)
    }
    return values
  }

  /// The mappings of an `exclude` or `include` list, axis to value; `complete` ones must
  /// give every axis.
  mutating func rules(_ entry: Entry, job: String, axes: [String], complete: Bool) -> [[String: String]] {
    let what = "'\(entry.key)' in the matrix of job '\(job)'"
    guard case .sequence(let items, _, _) = entry.value else {
      error(entry.value.position, "\(what) must be a list of mappings, not \(entry.value.kindDescription)")
      return []
    }
    var result: [[String: String]] = []
    for item in items {
      guard let pairs = entries(of: item, what: "an item of \(what)", duplicate: "key") else { continue }
      var rule: [String: String] = [:]
      var valid = true
      for pair in pairs {
        guard axes.contains(pair.key) else {
          error(
            pair.keyPosition,
            "unknown matrix axis '\(pair.key)' in \(what)\(Suggestion.didYouMean(pair.key, in: axes))")
          valid = false
          continue
        }
        guard case .scalar(let scalar) = pair.value, !pair.value.isNull else {
          error(pair.value.position, "the value of '\(pair.key)' in \(what) must be a scalar")
          valid = false
          continue
        }
        rule[pair.key] = scalar.text
      }
      if complete, valid, let missing = axes.first(where: { rule[$0] == nil }) {
        error(item.position, "an item of \(what) must give every axis; '\(missing)' is missing")
        valid = false
      }
      if valid, !rule.isEmpty { result.append(rule) }
    }
    return result
  }
}
