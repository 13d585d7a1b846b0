@testable import BatchrunKit
import Testing

@Suite("vars, interpolation and matrix expansion")
struct MatrixExpansionTests {
  func load(_ text: String, variables: [String: String] = [:]) throws -> Manifest {
    do {
      return try ManifestLoader.load(bytes: Array(text.utf8), path: "/tmp/m.yaml", variables: variables)
    } catch {
      Issue.record("should load:\n\(error.messages.joined(separator: "\n"))")
      throw error
    }
  }

  static let matrix = """
    vars: {version: "1.4"}
    jobs:
      build:
        matrix:
          os: [debian, alpine]
          py: ["3.11", "3.12"]
          exclude: [{os: alpine, py: "3.11"}]
          include: [{os: arch, py: "3.13"}]
        run: ./build --os ${{ matrix.os }} --py ${{matrix.py}} --v ${{ vars.version }} --id ${{ job.id }}
        env: {TARGET: "${{ matrix.os }}-${{ matrix.py }}"}
        cwd: out/${{ matrix.os }}
        description: build on ${{ matrix.os }}
      test:
        matrix: {os: [debian, alpine]}
        needs: ["build.${{ matrix.os }}.3.12"]
        argv: [./test, "${{ matrix.os }}"]
      all:
        needs: [test]
        run: echo done
    """

  @Test("Expansions in axis order, excludes dropped, includes added, ids from the values")
  func expansions() throws {
    let manifest = try load(Self.matrix)
    #expect(
      manifest.jobs.map(\.id) == [
        "build.debian.3.11", "build.debian.3.12", "build.alpine.3.12", "build.arch.3.13", "test.debian",
        "test.alpine", "all",
      ])
    let first = manifest.jobs[0]
    #expect(first.command == .shell("./build --os debian --py 3.11 --v 1.4 --id build.debian.3.11"))
    #expect(first.environment == [EnvironmentVariable("TARGET", "debian-3.11")])
    #expect(first.cwd == "out/debian")
    #expect(first.description == "build on debian")
    #expect(first.matrix == [.init(axis: "os", value: "debian"), .init(axis: "py", value: "3.11")])
    #expect(first.template == "build")
    #expect(manifest.jobs[4].command == .argv(["./test", "debian"]))
    #expect(manifest.jobs[6].matrix == nil)
    #expect(manifest.templates["test"] == ["test.debian", "test.alpine"])
  }

  @Test("Interpolated needs pair expansions; a need naming a matrix job means all of them")
  func needs() throws {
    let manifest = try load(Self.matrix)
    let byID = Dictionary(uniqueKeysWithValues: manifest.jobs.map { ($0.id, $0) })
    #expect(byID["test.debian"]?.needs == ["build.debian.3.12"])
    #expect(byID["test.alpine"]?.needs == ["build.alpine.3.12"])
    #expect(byID["all"]?.needs == ["test.debian", "test.alpine"])
    let plan = try Plan(manifest: manifest, targets: ["test"])
    #expect(
      plan.selected.map { manifest.jobs[$0].id } == [
        "build.debian.3.12", "build.alpine.3.12", "test.debian", "test.alpine",
      ])
  }

  @Test("--var wins over vars; an undeclared --var is usable too")
  func overrides() throws {
    let text = "vars: {v: one}\njobs:\n  a: {run: 'echo ${{ vars.v }} ${{ vars.extra }}'}\n"
    let manifest = try load(text, variables: ["v": "two", "extra": "x"])
    #expect(manifest.jobs[0].command == .shell("echo two x"))
    #expect(manifest.variables == ["v": "two", "extra": "x"])
  }

  @Test("$${{ is a literal ${{, and nothing else is touched")
  func escape() throws {
    let text = #"jobs: {a: {run: 'echo $${{ vars.v }} $HOME ${X} $$ ${ {'}}"#
    #expect(try load(text).jobs[0].command == .shell("echo ${{ vars.v }} $HOME ${X} $$ ${ {"))
  }

  @Test(
    "Pieces of a text",
    arguments: [
      ("plain", [Interpolation.Piece.literal("plain")]),
      ("${{vars.a}}", [.reference(name: "vars.a", index: 0)]),
      ("x ${{  job.id\t}} y", [.literal("x "), .reference(name: "job.id", index: 0), .literal(" y")]),
      ("$${{ a }}${{ b }}", [.literal("${{ a }}"), .reference(name: "b", index: 0)]),
    ])
  func pieces(_ text: String, _ expected: [Interpolation.Piece]) throws {
    #expect(try Interpolation.pieces(of: text) == expected)
    #expect(Interpolation.mayContain(text) == text.contains("{{"))
  }

  @Test("A value outside [A-Za-z0-9_.-] becomes _ in the id")
  func idPart() {
    #expect(ManifestDecoder.idPart("a b/c.d-e_f") == "a_b_c.d-e_f")
    #expect(ManifestDecoder.idPart("é") == "_")
  }

  @Test("A 10x10x10 matrix gives 1,000 jobs in axis order")
  func large() throws {
    let values = (0..<10).map(String.init).joined(separator: ", ")
    let text =
      "jobs:\n  t:\n    matrix: {a: [\(values)], b: [\(values)], c: [\(values)]}\n"
      + "    run: echo ${{ matrix.a }}${{ matrix.b }}${{ matrix.c }}\n"
    let manifest = try load(text)
    #expect(manifest.jobs.count == 1000)
    #expect(manifest.jobs[123].id == "t.1.2.3")
    #expect(manifest.jobs[999].command == .shell("echo 999"))
  }
}
