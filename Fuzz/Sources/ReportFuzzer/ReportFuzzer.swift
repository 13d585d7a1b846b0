import BatchrunKit

/// libFuzzer entry point for the report reader. The bytes are read the ways batchrun reads
/// a report back: as a `report.json` (what `batchrun report`, `--resume` and `--from`
/// read, ``ReportLoader/report(from:)``) and as a journal (`events.jsonl`, for a run
/// without a report). Whatever they are, reading gives a report or a reason; a report
/// read writes itself back to what it reads again, and every format of `batchrun report`
/// renders it without a trap. A crash, a hang, or a broken invariant below is a finding.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzReport(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  let bytes = Array(UnsafeBufferPointer(start: data, count: size))

  // As a report.json, as `batchrun report` reads one; its durations as weights.
  do {
    let report = try ReportLoader.report(from: bytes)
    precondition(
      (try? ReportDocument(json: report.json())) == report, "a report reads back what it writes")
    renderEveryFormat(report)
    weighPlan(by: PriorDurations(report: report))
  } catch {
    precondition(!error.description.isEmpty, "a report is refused without a reason")
  }
  // Any JSON reads back as it renders.
  if let json = try? JSONParser.parse(bytes) {
    precondition(
      (try? JSONParser.parse(json.bytes(pretty: false))) == json, "JSON reads back what it renders")
  }

  // As a journal, as `batchrun report RUN-DIR` reads one when report.json is missing.
  if let rebuilt = try? JournalReplay.report(fromJournal: String(decoding: bytes, as: UTF8.self)) {
    precondition(
      (try? ReportDocument(json: rebuilt.json())) == rebuilt, "a rebuilt report reads back what it writes")
    renderEveryFormat(rebuilt)
  }
  return 0
}

/// What `batchrun report --format text|html|junit|json` prints (without a run directory:
/// no logs are read).
func renderEveryFormat(_ report: ReportDocument) {
  _ = TextReport.render(report)
  _ = HTMLReport.render(report, runDirectory: nil)
  _ = JUnitReport.render(report, runDirectory: nil)
  _ = report.json().rendered(pretty: true)
}

/// A manifest with the job ids of the seed reports (`Fuzz/run.sh` makes them from
/// `manifests/*.yaml`), so that fuzzed durations reach the plan's weights.
let seedManifest: Manifest = {
  let yaml = """
    jobs:
      hello: {run: x}
      world: {run: x, needs: hello}
      prepare: {run: x}
      compile: {run: x, needs: prepare}
      unit-tests: {run: x, needs: compile}
      lint: {run: x, needs: compile}
      package: {run: x, needs: [unit-tests, lint]}
      cleanup: {run: x, needs: package, when: always}
      split: {run: x}
      shard-1: {run: x, needs: split}
      gather: {run: x, needs: shard-1}
      ok: {run: x}
      bad: {run: x, needs: ok}
    """
  do {
    return try ManifestLoader.load(bytes: Array(yaml.utf8), path: "/fuzz/seed.yaml")
  } catch {
    fatalError("the seed manifest does not load: \(error)")
  }
}()

/// Plans the seed manifest with the prior durations' weights, as `run` does: every
/// weight and priority must be a finite, positive number.
func weighPlan(by prior: PriorDurations?) {
  guard let prior else { return }
  for job in seedManifest.jobs {
    let weight = prior.weight(job)
    precondition(weight.isFinite && weight > 0, "weight \(weight) for \(job.id)")
  }
  do {
    let plan = try Plan(manifest: seedManifest, weight: prior.weight)
    precondition(plan.priority.allSatisfy { $0.isFinite && $0 > 0 }, "priorities \(plan.priority)")
  } catch {
    fatalError("the seed manifest does not plan: \(error)")
  }
}

/// SwiftPM links an executable target's entry point as `<Target>_main`; hand over to
/// libFuzzer's driver from there.
@_cdecl("ReportFuzzer_main")
public func fuzzerMain(
  _ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>
) -> CInt {
  var count = argc
  var arguments: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = argv
  return LLVMFuzzerRunDriver(&count, &arguments, fuzzReport)
}

@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
  _ argc: UnsafeMutablePointer<CInt>,
  _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
  _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt
) -> CInt
