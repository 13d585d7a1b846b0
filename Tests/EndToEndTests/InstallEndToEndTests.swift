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

  // MARK: - A binary that runs without Swift

  /// What `make` builds (`.build-static`, a release build linked statically with the Swift
  /// runtime and libyaml). scripts/test builds it before `swift test`; `make install` below
  /// rebuilds it only if it is out of date.
  static let staticBinary = root.appendingPathComponent(".build-static/release/batchrun")

  /// Where the Swift toolchain is, as `which swift` finds it: the directory above its
  /// `usr/bin` (`/opt/swift`), or `/usr/lib/swift` for a toolchain installed in `/usr`.
  static var toolchainDirectory: String? {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    for directory in path.split(separator: ":") {
      let swift = URL(fileURLWithPath: String(directory)).appendingPathComponent("swift")
      guard FileManager.default.isExecutableFile(atPath: swift.path) else { continue }
      // `swift` is a link to `swift-driver` beside it, itself maybe reached through links.
      let bin = swift.resolvingSymlinksInPath().deletingLastPathComponent().path
      guard bin.hasSuffix("/usr/bin") else { return nil }
      let root = String(bin.dropLast("/usr/bin".count))
      return root.isEmpty ? "/usr/lib/swift" : root
    }
    return nil
  }

  /// Whether this process may hide `directory` in a mount namespace of its own (`unshare -m`
  /// and a mount need CAP_SYS_ADMIN: root, in a container that allows it).
  static func canHide(_ directory: String) async -> Bool {
    guard FileManager.default.isExecutableFile(atPath: "/usr/bin/unshare") else { return false }
    let probe = try? await runHiding(directory, "/bin/true", [])
    return probe?.exitCode == 0
  }

  /// Runs `executable` with `arguments` in a mount namespace where `hidden` is an empty tmpfs.
  static func runHiding(_ hidden: String, _ executable: String, _ arguments: [String]) async throws
    -> BatchrunProcess.Result
  {
    try await BatchrunProcess.run(
      URL(fileURLWithPath: "/usr/bin/unshare"),
      ["-m", "sh", "-c", #"mount -t tmpfs tmpfs "$0" && exec "$@""#, hidden, executable] + arguments)
  }

  @Test(
    "make install installs a binary that runs with the Swift toolchain hidden",
    .enabled(
      if: FileManager.default.isExecutableFile(atPath: InstallEndToEndTests.staticBinary.path),
      "no static build in .build-static: run `make` first (scripts/test does)"),
    .enabled(if: InstallEndToEndTests.toolchainDirectory != nil, "no Swift toolchain found in PATH"),
    .enabled("`unshare -m` and a tmpfs mount are not permitted here (they need CAP_SYS_ADMIN)") {
      guard let toolchain = InstallEndToEndTests.toolchainDirectory else { return false }
      return await InstallEndToEndTests.canHide(toolchain)
    })
  func installedBinaryRunsWithoutTheToolchain() async throws {
    let toolchain = try #require(Self.toolchainDirectory)
    let prefix = try TemporaryDirectory(prefix: "batchrun-install")
    // No BINARY=: the binary `make install` itself builds (a no-op build when up to date).
    let install = try await BatchrunProcess.run(
      URL(fileURLWithPath: "/usr/bin/make"), ["-C", Self.root.path, "install", "PREFIX=\(prefix.path)"],
      timeout: .seconds(1800))
    #expect(install.exitCode == 0, "\(install)")
    let installed = prefix.path + "/bin/batchrun"

    // Linked with nothing from the toolchain, nor libyaml: only the C and C++ libraries.
    let ldd = try await BatchrunProcess.run(URL(fileURLWithPath: "/usr/bin/ldd"), [installed])
    #expect(ldd.exitCode == 0, "\(ldd)")
    for line in ldd.stdoutLines {
      #expect(
        !line.contains(toolchain) && !line.contains("libyaml") && !line.contains("not found"), "\(line)")
    }

    let work = try TemporaryDirectory(prefix: "batchrun-hidden")
    let manifest = try work.write(
      "hello.yaml",
      "jobs:\n  a:\n    run: echo hello from a\n  b:\n    argv: [echo, b after a]\n    needs: a\n")
    let run = try await Self.runHiding(toolchain, installed, ["run", manifest, "--output", "stream"])
    #expect(run.exitCode == 0, "\(run)")
    #expect(run.stdout.contains("hello from a") && run.stdout.contains("b after a"), "\(run)")
    let validate = try await Self.runHiding(toolchain, installed, ["validate", manifest])
    #expect(validate.exitCode == 0 && validate.stdout == "\(manifest): ok (2 jobs)\n", "\(validate)")
    // libyaml's own words, from the copy linked in.
    let broken = try work.write("broken.yaml", "jobs: [\n")
    let invalid = try await Self.runHiding(toolchain, installed, ["validate", broken])
    #expect(invalid.exitCode == 65, "\(invalid)")
    #expect(invalid.stderr.contains("\(broken):2:1: error: YAML syntax error:"), "\(invalid)")

    // The control: the dynamically linked build cannot start there, so the toolchain was hidden.
    let dynamic = try await Self.runHiding(toolchain, try BatchrunProcess.batchrunURL.path, ["--version"])
    #expect(
      dynamic.exitCode == 127 && dynamic.stderr.contains("error while loading shared libraries"), "\(dynamic)"
    )
  }

  /// The committed man page is generated (`make man`); it must not fall behind the options.
  @Test(arguments: ["run", "validate", "graph", "report"])
  func manPageHasEveryOption(_ subcommand: String) async throws {
    let manual = try String(contentsOf: Self.root.appendingPathComponent("docs/batchrun.1"), encoding: .utf8)
    let help = try await BatchrunProcess.batchrun([subcommand, "--help"])
    let options = help.stdout.split(whereSeparator: \.isWhitespace).filter {
      $0.hasPrefix("--") && $0.count > 2
    }
    // `--resume=RUN-ID` in a help text names `--resume`.
    .map { $0.trimmingCharacters(in: CharacterSet(charactersIn: ",.:;()")).split(separator: "=")[0] }
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
