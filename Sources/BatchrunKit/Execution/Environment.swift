import Glibc

/// The process environment, read once.
public enum Environment {
  /// batchrun's own environment as a dictionary.
  public static let current: [String: String] = {
    var result: [String: String] = [:]
    var pointer = environ
    while let entry = pointer.pointee {
      let text = String(cString: entry)
      if let equals = text.firstIndex(of: "=") {
        result[String(text[..<equals])] = String(text[text.index(after: equals)...])
      }
      pointer += 1
    }
    return result
  }()

  /// This process's working directory, or `nil` if it cannot be read.
  static var currentDirectory: String? {
    guard let path = getcwd(nil, 0) else { return nil }
    defer { free(path) }
    return String(cString: path)
  }

  /// `path` made absolute against the working directory, its leading `./`s dropped, so
  /// that `m.yaml` and `./m.yaml` name the same file the same way.
  static func absolute(_ path: String) -> String {
    guard !path.hasPrefix("/") else { return path }
    var relative = Substring(path)
    while relative.hasPrefix("./") { relative = relative.dropFirst(2) }
    return (currentDirectory ?? ".") + "/" + relative
  }
}
