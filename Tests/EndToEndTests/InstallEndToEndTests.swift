import Foundation
import Testing

/// `make install` and `make uninstall`: the binary, completions and the man page.
@Suite("Install", .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/make")))
struct InstallEndToEndTests {
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

  static let files = [
    "bin/batchrun", "share/bash-completion/completions/batchrun", "share/zsh/site-functions/_batchrun",
    "share/fish/vendor_completions.d/batchrun.fish", "share/man/man1/batchrun.1",
  ]

  func make(_ target: String, prefix: String) async throws -> BatchrunProcess.Result {
    try await BatchrunProcess.run(
      URL(fileURLWithPath: "/usr/bin/make"),
      ["-C", Self.root.path, target, "PREFIX=\(prefix)", "BINARY=\(try BatchrunProcess.batchrunURL.path)"])
  }

  @Test func installsEverythingAndUninstallRemovesIt() async throws {
    let prefix = try TemporaryDirectory(prefix: "batchrun-install")
    let install = try await make("install", prefix: prefix.path)
    #expect(install.exitCode == 0, "\(install)")
    for file in Self.files {
      #expect(FileManager.default.fileExists(atPath: prefix.path + "/" + file), "\(file) is installed")
    }
    let installed = URL(fileURLWithPath: prefix.path + "/bin/batchrun")
    let version = try await BatchrunProcess.run(installed, ["--version"])
    #expect(version.stdout == "0.1.0\n")
    let bash = try String(contentsOfFile: prefix.path + "/" + Self.files[1], encoding: .utf8)
    #expect(bash.contains("validate") && bash.contains("--keep-going"))
    let zsh = try String(contentsOfFile: prefix.path + "/" + Self.files[2], encoding: .utf8)
    #expect(zsh.hasPrefix("#compdef batchrun"))

    let uninstall = try await make("uninstall", prefix: prefix.path)
    #expect(uninstall.exitCode == 0, "\(uninstall)")
    for file in Self.files {
      #expect(!FileManager.default.fileExists(atPath: prefix.path + "/" + file), "\(file) is removed")
    }
  }

  /// The committed man page is generated (`make man`); it must not fall behind the options.
  @Test(arguments: ["run", "validate", "graph", "report"])
  func manPageHasEveryOption(_ subcommand: String) async throws {
    let manual = try String(contentsOf: Self.root.appendingPathComponent("docs/batchrun.1"), encoding: .utf8)
    let help = try await BatchrunProcess.batchrun([subcommand, "--help"])
    let options = help.stdout.split(whereSeparator: \.isWhitespace).filter {
      $0.hasPrefix("--") && $0.count > 2
    }
    .map { $0.trimmingCharacters(in: CharacterSet(charactersIn: ",.")) }
    #expect(!options.isEmpty)
    for option in Set(options) {
      // mdoc writes `--keep-going` as `Fl -keep-going`, and `-k, --keep-going` as `Fl k , -keep-going`.
      let mdoc = option.dropFirst()
      #expect(
        manual.contains("Fl " + mdoc) || manual.contains(" , " + mdoc),
        "docs/batchrun.1 lacks \(option): run `make man`")
    }
  }
}
