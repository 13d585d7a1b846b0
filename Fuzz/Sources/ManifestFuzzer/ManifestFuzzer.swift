import BatchrunKit

/// libFuzzer entry point: every input must either load or yield diagnostics that all
/// carry a position inside the input; anything else (a crash, a hang, a diagnostic
/// without a position) is a finding.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzManifest(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  let bytes = Array(UnsafeBufferPointer(start: data, count: size))
  do {
    let manifest = try ManifestLoader.load(bytes: bytes, path: "/fuzz/manifest.yaml")
    // A valid manifest must also plan and order without trouble.
    let plan = try Plan(manifest: manifest)
    precondition(plan.graph.topologicalOrder().count == manifest.jobs.count, "a valid manifest has no cycle")
  } catch {
    guard case .invalid(let diagnostics) = error else { fatalError("loading bytes cannot be unreadable") }
    precondition(!diagnostics.isEmpty, "an invalid manifest has at least one diagnostic")
    // YAML breaks lines at LF, CR LF and a lone CR.
    let lines =
      1
      + bytes.indices.filter { index in
        bytes[index] == 0x0A
          || (bytes[index] == 0x0D && (index + 1 == bytes.count || bytes[index + 1] != 0x0A))
      }.count
    for diagnostic in diagnostics {
      guard let location = diagnostic.location else {
        fatalError("diagnostic without a position: \(diagnostic)")
      }
      // A `dotenv` file or an included manifest has lines of its own.
      guard location.file == "/fuzz/manifest.yaml" else { continue }
      precondition(
        location.line >= 1 && location.line <= max(lines, 1) + 1, "line out of range: \(diagnostic)")
      precondition(location.column >= 1, "column out of range: \(diagnostic)")
    }
  }
  return 0
}

/// SwiftPM links an executable target's entry point as `<Target>_main`; hand over to
/// libFuzzer's driver from there.
@_cdecl("ManifestFuzzer_main")
public func fuzzerMain(
  _ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>
) -> CInt {
  var count = argc
  var arguments: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = argv
  return LLVMFuzzerRunDriver(&count, &arguments, fuzzManifest)
}

@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
  _ argc: UnsafeMutablePointer<CInt>,
  _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
  _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt
) -> CInt
