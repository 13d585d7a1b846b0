@testable import BatchrunKit
import Foundation
import Testing

@Suite("Valid manifests and the decoded model")
struct ValidManifestTests {
  @Test("Every file in Fixtures/valid loads")
  func allValidFixturesLoad() throws {
    let names = try Fixtures.names(in: "valid")
    #expect(names.count >= 10)
    for name in names {
      _ = try Fixtures.valid(name)
    }
  }

  @Test("Every top-level key and job key is decoded")
  func fullManifest() throws {
    let manifest = try Fixtures.valid("full.yaml")
    let path = Fixtures.path("valid", "full.yaml")
    #expect(manifest.path == path)
    #expect(manifest.directory == Fixtures.directory.appendingPathComponent("valid").path)
    #expect(manifest.name == "nightly")
    #expect(manifest.concurrency == 4)
    #expect(manifest.shell == ["/bin/bash", "-eu", "-c"])
    #expect(
      manifest.environment == [EnvironmentVariable("LANG", "C.UTF-8"), EnvironmentVariable("WORKERS", "8")])
    #expect(manifest.jobs.map(\.id) == ["fetch", "build", "lint", "cleanup"])
    let bytes = try Array(Data(contentsOf: URL(fileURLWithPath: path)))
    #expect(manifest.sha256 == SHA256.hex(bytes))
    #expect(manifest.sha256.count == 64)

    let fetch = try manifest.job("fetch")
    #expect(fetch.description == "Download the data")
    #expect(fetch.command == .shell("./fetch.sh > data.json"))
    #expect(fetch.needs == [])
    #expect(fetch.timeout == .seconds(30))
    #expect(fetch.retries == 2)
    #expect(fetch.retryDelay == .seconds(2))
    #expect(fetch.environmentDictionary == ["CC": "gcc", "OPT": "-O2"])
    #expect(fetch.cwd == nil)
    #expect(fetch.allowFailure == false)
    #expect(fetch.condition == .onSuccess)
    #expect(fetch.location?.lineColumn == "17:3")

    let build = try manifest.job("build")
    #expect(build.command == .shell("make -j2 all\nmake install\n"))
    #expect(build.needs == ["fetch"])
    #expect(build.needLocations.map(\.lineColumn) == ["26:13"])
    #expect(build.environmentDictionary == ["CC": "clang", "OPT": "-O2"])
    #expect(build.cwd == "src")
    #expect(build.timeout == .seconds(600))
    #expect(build.retries == 1)
    #expect(build.description == nil)

    let lint = try manifest.job("lint")
    #expect(lint.command == .argv(["swiftlint", "--strict", "path with spaces"]))
    #expect(lint.allowFailure)
    #expect(lint.condition == .always)

    let cleanup = try manifest.job("cleanup")
    #expect(cleanup.needs == ["build", "lint"])
    #expect(cleanup.condition == .onFailure)
    #expect(cleanup.retries == 0, "an explicit 0 overrides the default 1")
  }

  @Test("A minimal manifest gets the defaults")
  func minimal() throws {
    let manifest = try Fixtures.valid("minimal.yaml")
    #expect(manifest.name == "minimal")
    #expect(manifest.concurrency == nil)
    #expect(manifest.shell == ["/bin/sh", "-c"])
    #expect(manifest.environment.isEmpty)
    let job = try manifest.job("only")
    #expect(job.command == .shell("echo hi"))
    #expect(job.timeout == nil)
    #expect(job.retries == 0)
    #expect(job.retryDelay == .zero)
    #expect(job.allowFailure == false)
    #expect(job.condition == .onSuccess)
    #expect(job.environment.isEmpty)
    #expect(job.description == nil)
  }

  @Test("Anchors and aliases stand for mappings, scalars and lists")
  func anchorsAndAliases() throws {
    let manifest = try Fixtures.valid("anchors.yaml")
    #expect(manifest.jobs.map(\.id) == ["build", "docs", "test"])
    let common: [EnvironmentVariable] = [.init("LANG", "C.UTF-8"), .init("TZ", "UTC")]
    #expect(try manifest.job("build").environment == common)
    #expect(try manifest.job("docs").environment == common)
    #expect(try manifest.job("test").command == .shell("make test"))
    #expect(try manifest.job("test").needs == ["build", "docs"])
  }

  @Test("Merge keys: one mapping or a list (earlier wins); an explicit key always wins")
  func mergeKeys() throws {
    let manifest = try Fixtures.valid("merge-keys.yaml")
    let single = try manifest.job("single")
    #expect(single.timeout == .seconds(30))
    #expect(single.retries == 2)
    #expect(single.environmentDictionary == ["MODE": "base"])
    #expect(single.command == .shell("echo single"))

    let override = try manifest.job("override")
    #expect(override.retries == 5, "explicit key written before '<<' still wins")
    #expect(override.timeout == .seconds(30))

    let listed = try manifest.job("listed")
    #expect(listed.timeout == .seconds(3600), "the first mapping of the list wins")
    #expect(listed.description == "slow job")
    #expect(listed.retries == 2)

    let reversed = try manifest.job("reversed")
    #expect(reversed.timeout == .seconds(30))
    #expect(reversed.description == "slow job")

    let flow = try manifest.job("flow")
    #expect(flow.timeout == .seconds(5), "explicit key written after '<<' wins")
    #expect(flow.retries == 2)
    #expect(flow.command == .shell("echo flow"))
  }

  @Test("needs: a plain string, a list (duplicates dropped), a block list, empty or null")
  func needsForms() throws {
    let manifest = try Fixtures.valid("needs-forms.yaml")
    #expect(try manifest.job("fetch").needs == [])
    #expect(try manifest.job("build").needs == ["fetch"])
    #expect(try manifest.job("build").needLocations.map(\.lineColumn) == ["6:12"])
    #expect(try manifest.job("test").needs == ["build", "fetch"])
    #expect(try manifest.job("test").needLocations.map(\.lineColumn) == ["9:13", "9:20"])
    #expect(try manifest.job("package").needs == ["test"])
    #expect(try manifest.job("docs").needs == [])
    #expect(try manifest.job("release").needs == [])
  }

  @Test("defaults fill in what a job leaves out; the job's value wins; env is merged")
  func defaults() throws {
    let manifest = try Fixtures.valid("defaults.yaml")
    let inherits = try manifest.job("inherits")
    #expect(inherits.timeout == .seconds(600))
    #expect(inherits.retries == 3)
    #expect(inherits.retryDelay == .seconds(1))
    #expect(inherits.allowFailure)
    #expect(inherits.condition == .always)
    #expect(inherits.cwd == "work")
    #expect(inherits.description == "from defaults")
    #expect(inherits.environmentDictionary == ["SHARED": "one", "OVERRIDDEN": "default"])

    let overrides = try manifest.job("overrides")
    #expect(overrides.timeout == .seconds(60))
    #expect(overrides.retries == 0)
    #expect(overrides.retryDelay == .zero)
    #expect(overrides.allowFailure == false)
    #expect(overrides.condition == .onSuccess)
    #expect(overrides.cwd == "elsewhere")
    #expect(overrides.description == "its own")
    #expect(overrides.environmentDictionary == ["SHARED": "one", "OVERRIDDEN": "job", "OWN": "mine"])
    #expect(overrides.environment.count == 3, "no variable twice")
    #expect(try manifest.job("null-description").description == "from defaults", "null sets nothing")
    #expect(try manifest.job("cleared").description == "")
  }

  @Test("Environment values of any scalar type keep the text as written")
  func environmentScalars() throws {
    let manifest = try Fixtures.valid("env-scalars.yaml")
    #expect(
      manifest.environment.map(\.name) == [
        "INT", "NEGATIVE", "FLOAT", "EXPONENT", "HEX", "BOOL", "YES", "OFF", "TILDE", "EMPTY", "QUOTED",
        "STRING",
      ])
    let values = Dictionary(uniqueKeysWithValues: manifest.environment.map { ($0.name, $0.value) })
    #expect(values["INT"] == "42")
    #expect(values["NEGATIVE"] == "-7")
    #expect(values["FLOAT"] == "1.50")
    #expect(values["EXPONENT"] == "1e3")
    #expect(values["HEX"] == "0x1F")
    #expect(values["BOOL"] == "true")
    #expect(values["YES"] == "yes")
    #expect(values["OFF"] == "off")
    #expect(values["TILDE"] == "")
    #expect(values["EMPTY"] == "")
    #expect(values["QUOTED"] == "007")
    #expect(values["STRING"] == "hello world")
    #expect(try manifest.job("show").environmentDictionary == ["JOB_INT": "8", "JOB_BOOL": "false"])
  }

  @Test("Durations: 250ms, 30s, 5m, 1h30m, bare seconds")
  func durations() throws {
    let manifest = try Fixtures.valid("durations.yaml")
    #expect(try manifest.job("millis").timeout == .milliseconds(250))
    #expect(try manifest.job("seconds").timeout == .seconds(30))
    #expect(try manifest.job("minutes").timeout == .seconds(300))
    #expect(try manifest.job("mixed").timeout == .seconds(5400))
    #expect(try manifest.job("bare").timeout == .milliseconds(1500))
    #expect(try manifest.job("whole").timeout == .seconds(2))
    #expect(try manifest.job("zero-delay").retryDelay == .zero)
    #expect(try manifest.job("no-timeout").timeout == nil)
  }

  @Test("when: on-success by default, always, on-failure")
  func when() throws {
    let manifest = try Fixtures.valid("when.yaml")
    #expect(try manifest.job("default").condition == .onSuccess)
    #expect(try manifest.job("success").condition == .onSuccess)
    #expect(try manifest.job("always").condition == .always)
    #expect(try manifest.job("failure").condition == .onFailure)
  }

  @Test("x- keys at the top level are ignored and may hold anchors")
  func extensionKeys() throws {
    let manifest = try Fixtures.valid("extension-keys.yaml")
    #expect(manifest.jobs.map(\.id) == ["build"])
    #expect(try manifest.job("build").timeout == .seconds(300))
  }

  @Test("Job ids: letters, digits, '_', '.', '-', quoted keys, up to 128 characters")
  func identifiers() throws {
    let manifest = try Fixtures.valid("ids.yaml")
    #expect(
      manifest.jobs.map(\.id) == [
        "_private", "0start", "with.dots-and_dashes", "quoted", String(repeating: "A", count: 128),
      ])
    #expect(try manifest.job("quoted").needs == ["_private", "0start", "with.dots-and_dashes"])
  }

  @Test("Ids that only resemble a retry log's suffix are valid")
  func nearlyReservedIdentifiers() throws {
    let ids = [
      "a.attempt-", "a.attempt-x", "a-attempt-2", "attempt-2", "a.attempt-2.b", "a.Attempt-2", "a.attempt2",
    ]
    let manifest = try load("jobs:\n" + ids.map { "  \($0): {run: x}\n" }.joined())
    #expect(manifest.jobs.map(\.id) == ids)
    #expect(ids.allSatisfy { JobIdentifier.reservedSuffix(of: $0) == nil })
  }

  @Test(
    "The name defaults to the file name without its extension",
    arguments: [
      ("my.pipeline.yaml", "my.pipeline"), ("minimal.yaml", "minimal"),
    ])
  func nameFromFile(_ file: String, _ name: String) throws {
    #expect(try Fixtures.valid(file).name == name)
  }

  @Test(
    "Name and directory from an in-memory path; a relative directory is made absolute",
    arguments: [
      ("nightly.yaml", "nightly", ""), ("ci/nightly.yml", "nightly", "/ci"), ("/etc/jobs", "jobs", "/etc"),
      ("/top.yaml", "top", "/"), ("a/b/.hidden.yaml", ".hidden", "/a/b"), ("./here.yaml", "here", ""),
      ("././ci/nightly.yaml", "nightly", "/ci"),
    ])
  func nameAndDirectory(_ path: String, _ name: String, _ directory: String) throws {
    let manifest = try load("jobs: {a: {run: x}}", path: path)
    let expected = path.hasPrefix("/") ? directory : FileManager.default.currentDirectoryPath + directory
    #expect(manifest.name == name)
    #expect(manifest.directory == expected)
    #expect(manifest.path == path)
  }

  @Test("An explicit name wins over the file name")
  func explicitName() throws {
    #expect(try load("name: release\njobs: {a: {run: x}}", path: "ci/nightly.yaml").name == "release")
  }

  @Test("The digest is of the exact bytes")
  func digest() throws {
    let text = "jobs:\n  a:\n    run: x\n"
    #expect(try load(text).sha256 == SHA256.hex(Array(text.utf8)))
    #expect(try load(text + "# comment\n").sha256 != SHA256.hex(Array(text.utf8)))
  }

  @Test("Job order is kept as written")
  func order() throws {
    let manifest = try load("jobs:\n  zeta: {run: z}\n  alpha: {run: a}\n  mid: {run: m}\n")
    #expect(manifest.jobs.map(\.id) == ["zeta", "alpha", "mid"])
    #expect(manifest.jobs.map { $0.location?.lineColumn } == ["2:3", "3:3", "4:3"])
  }
}
