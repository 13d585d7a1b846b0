import Glibc

/// The keys of docs/manifest.md's "vars", "dotenv", "pools", "resources" and "Retries"
/// sections, each problem a diagnostic at its position.
extension ManifestDecoder {
  /// Reads a job or `defaults` key beyond version 1's into `settings`.
  mutating func additionalSetting(_ entry: Entry, _ what: String, into settings: inout Settings) {
    switch entry.key {
    case "resources": resources(entry.value, what, into: &settings)
    case "pool":
      settings.pool = string(entry.value, what, allowEmpty: false).map {
        Text(text: $0, position: entry.value.position)
      }
    case "inputs", "outputs":
      let texts = stringNodes(entry.value, what, allowScalar: true).map {
        Text(text: $0.scalarText ?? "", position: $0.position)
      }
      if entry.key == "inputs" { settings.inputs = texts } else { settings.outputs = texts }
    case "dotenv": settings.dotenv = dotenvVariables(entry.value, what)
    case "retry-backoff":
      guard case .scalar(let scalar) = entry.value, let factor = Self.number(scalar), factor >= 1,
        factor <= 1000
      else {
        error(
          entry.value.position,
          "\(what) must be a number from 1 to 1000 (2 doubles the delay after each retry)")
        return
      }
      settings.retryBackoff = factor
    case "retry-max-delay": settings.retryMaxDelay = duration(entry.value, what)
    case "retry-on":
      var codes: Set<Int> = []
      var timeouts = false
      for node in stringNodes(entry.value, what, allowScalar: true) {
        if node.scalarText == "timeout" {
          timeouts = true
        } else if case .scalar(let scalar) = node, case .integer(let code)? = scalar.value,
          (1...255).contains(code)
        {
          codes.insert(code)
        } else {
          error(
            node.position,
            "items of \(what) must be exit codes from 1 to 255 or 'timeout', not \(MessageText.quoted(node.scalarText ?? ""))"
          )
        }
      }
      settings.retryOn = (codes, timeouts)
    default: break  // run, argv, needs and matrix are read by `draft`
    }
  }

  static func number(_ scalar: YAMLNode.Scalar) -> Double? {
    switch scalar.value {
    case .integer(let value)?: Double(value)
    case .float(let value)?: value.isFinite ? value : nil
    default: nil
    }
  }

  mutating func resources(_ node: YAMLNode, _ what: String, into settings: inout Settings) {
    for entry in entries(of: node, what: what, duplicate: "key") ?? [] {
      let key = "'\(entry.key)' of \(what)"
      switch entry.key {
      case "cpus": settings.cpus = integer(entry.value, key, in: 1...ManifestLimits.concurrency.upperBound)
      case "gpus": settings.gpus = integer(entry.value, key, in: 0...1024)
      case "memory":
        guard case .scalar(let scalar) = entry.value, !entry.value.isNull,
          let bytes = ByteSize.bytes(scalar.text)
        else {
          error(entry.value.position, "invalid size for \(key); write e.g. 512M, 4G or 1T")
          continue
        }
        settings.memory = bytes
      default: unknownKey(entry, context: "in \(what)", known: ["cpus", "memory", "gpus"])
      }
    }
  }

  /// `vars`: names and values, as strings.
  mutating func variables(_ node: YAMLNode) -> [(String, String)] {
    var result: [(String, String)] = []
    for entry in entries(of: node, what: "'vars'", duplicate: "key") ?? [] {
      guard Self.isVariableName(entry.key) else {
        error(
          entry.keyPosition,
          "invalid variable name \(MessageText.quoted(entry.key)) in 'vars': use letters, digits, '_' and '-',"
            + " starting with a letter or '_'")
        continue
      }
      guard case .scalar(let scalar) = entry.value else {
        error(
          entry.value.position,
          "the value of 'vars.\(entry.key)' must be a scalar, not \(entry.value.kindDescription)")
        continue
      }
      result.append((entry.key, entry.value.isNull ? "" : scalar.text))
    }
    return result
  }

  /// Names `vars` and `--var` may use.
  static func isVariableName(_ name: String) -> Bool { isAxisName(name) }

  /// `pools`: names and depths.
  mutating func pools(_ node: YAMLNode) -> [(name: String, depth: Int, location: SourceLocation)] {
    (entries(of: node, what: "'pools'", duplicate: "key") ?? []).compactMap { entry in
      integer(entry.value, "the depth of pool '\(entry.key)'", in: ManifestLimits.concurrency).map {
        (entry.key, $0, location(entry.keyPosition))
      }
    }
  }

  func isEnvironmentName(_ name: String) -> Bool {
    !name.isEmpty && !name.contains("=") && !name.utf8.contains(0)
  }

  /// An `env` mapping's names and values as written, to interpolate per job.
  mutating func environmentTexts(_ node: YAMLNode, _ what: String) -> [(name: String, value: Text)] {
    var result: [(name: String, value: Text)] = []
    for entry in entries(of: node, what: what, duplicate: "key") ?? [] {
      let name = MessageText.quoted(entry.key, limit: .max)
      guard withoutNUL(entry.key, at: entry.keyPosition, "the variable name \(name) in \(what)") != nil else {
        continue
      }
      if !isEnvironmentName(entry.key) {
        error(entry.keyPosition, "invalid environment variable name \(name) in \(what)")
        continue
      }
      guard case .scalar(let scalar) = entry.value else {
        error(
          entry.value.position,
          "the value of \(name) in \(what) must be a scalar, not \(entry.value.kindDescription)")
        continue
      }
      let value = entry.value.isNull ? "" : scalar.text
      if withoutNUL(value, at: entry.value.position, "the value of \(name) in \(what)") != nil {
        result.append((entry.key, Text(text: value, position: entry.value.position)))
      }
    }
    return result
  }

  /// The variables of a `dotenv` list's files, later files winning; a missing file is a
  /// diagnostic unless written with a leading `?`.
  mutating func dotenvVariables(_ node: YAMLNode, _ what: String) -> [EnvironmentVariable] {
    var result: [EnvironmentVariable] = []
    for (item, explicitKey) in dotenvItems(node, what) {
      var name = item.scalarText ?? ""
      let optional = explicitKey || name.hasPrefix("?")
      if optional { name.removeFirst() }
      guard !name.isEmpty else {
        error(item.position, "an item of \(what) is empty; give a file name")
        continue
      }
      let path = name.hasPrefix("/") ? name : directory + "/" + name
      let shown = name.hasPrefix("/") ? name : Self.sibling(name, of: file)
      if let cached = dotenvFiles[path] {
        result = merged(result, cached ?? [])
        continue
      }
      var info = stat()
      if optional, stat(path, &info) != 0, errno == ENOENT {
        dotenvFiles[path] = .some(nil)
        continue
      }
      let bytes: [UInt8]
      do {
        bytes = try FileBytes.readRegular(path)
      } catch {
        dotenvFiles[path] = .some(nil)
        self.error(
          item.position,
          "cannot read dotenv file '\(shown)': \(error.why)"
            + (optional || error.errno?.rawValue != ENOENT
              ? "" : " (write '?\(name)' for a file that may be missing)"))
        continue
      }
      if let bad = ManifestLoader.firstInvalidUTF8(bytes) {
        diagnostics.append(
          Diagnostic(
            at: ManifestLoader.location(ofByte: bad, in: bytes, file: shown),
            "the dotenv file is not valid UTF-8"))
        dotenvFiles[path] = .some(nil)
        continue
      }
      let parsed = DotenvParser.parse(String(decoding: bytes, as: UTF8.self), file: shown)
      diagnostics += parsed.problems
      // A name given twice in one file: the later line wins.
      var seen: Set<String> = []
      let variables = parsed.variables.reversed().filter { seen.insert($0.name).inserted }.reversed()
      dotenvFiles[path] = Array(variables)
      result = merged(result, Array(variables))
    }
    return result
  }

  /// A `dotenv` value's file names. In a flow list (`[.env, ?.env.local]`) libyaml reads
  /// `?` as an explicit key, making the item a one-key mapping with no value: that item
  /// is the optional file its key names (`explicitKey`).
  mutating func dotenvItems(_ node: YAMLNode, _ what: String) -> [(node: YAMLNode, explicitKey: Bool)] {
    guard case .sequence(let items, _, _) = node else {
      return stringNodes(node, what, allowScalar: true).map { ($0, false) }
    }
    var result: [(node: YAMLNode, explicitKey: Bool)] = []
    for item in items {
      if case .mapping(let pairs, _, _) = item, pairs.count == 1, case .scalar = pairs[0].key,
        pairs[0].value.isNull
      {
        result.append((pairs[0].key, true))
      } else {
        result += stringNodes(.sequence([item], node.position, tag: nil), what, allowScalar: false).map {
          ($0, false)
        }
      }
    }
    return result
  }

  /// `name` (relative) as a path beside `file`, as the user would name it.
  static func sibling(_ name: String, of file: String) -> String {
    guard let slash = file.lastIndex(of: "/") else { return name }
    return String(file[...slash]) + name
  }
}
