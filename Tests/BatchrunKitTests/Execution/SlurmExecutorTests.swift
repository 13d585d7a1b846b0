import Testing

@testable import BatchrunKit

/// The Slurm executor's pure parts, on captured text: reading `squeue`, `scontrol` and
/// `sacct`, the state table, the `sbatch` command line and script, the resource flags and
/// the manifest's `executor`.
@Suite("Slurm executor (parsing and flags)")
struct SlurmExecutorTests {
  @Test func readsSqueueRecordsWithRawWaitStatuses() {
    let text = """
      1|FAILED|NonZeroExitCode|768|vm|
      2|RUNNING|None|0|vm|
      3|PENDING|Resources|0||
      4|FAILED|JobLaunchFailure|9|vm|
      5|CANCELLED|None|15|vm|
      garbage
      """
    let records = SlurmJobRecord.parseSqueue(text)
    #expect(records.map(\.id) == ["1", "2", "3", "4", "5"])
    #expect(records[0].exitCode == 3 && records[0].signal == 0)
    #expect(records[0].phase == .ended)
    #expect(records[1].phase == .running && records[1].node == "vm")
    #expect(records[2].phase == .queued && records[2].node == nil)
    #expect(records[3].signal == 9)
    #expect(records[4].signal == 15)
  }

  @Test func readsScontrolAndSacct() throws {
    let scontrol =
      "JobId=7 JobName=wrap JobState=FAILED Reason=NonZeroExitCode Dependency=(null) ExitCode=3:0"
      + " NodeList=vm BatchHost=vm StdOut=/tmp/a.log"
    let record = try #require(SlurmJobRecord.parseScontrol(scontrol))
    #expect(
      record
        == SlurmJobRecord(
          id: "7", state: "FAILED", reason: "NonZeroExitCode", exitCode: 3, signal: 0, node: "vm"))
    let sacct = SlurmJobRecord.parseSacct("8|CANCELLED by 0|0:15|node2\n9|OUT_OF_MEMORY|0:125|node3\n")
    #expect(sacct.map(\.state) == ["CANCELLED", "OUT_OF_MEMORY"])
    #expect(sacct[0].signal == 15 && sacct[1].node == "node3")
  }

  static func record(_ state: String, exit: Int32 = 0, signal: Int32 = 0) -> SlurmJobRecord {
    SlurmJobRecord(id: "1", state: state, reason: "None", exitCode: exit, signal: signal, node: "vm")
  }

  @Test func mapsStatesAsTheReadmeSays() {
    #expect(SlurmOutcome(Self.record("COMPLETED"), cancelledByBatchrun: false).termination == .exited(0))
    #expect(
      SlurmOutcome(Self.record("FAILED", exit: 3), cancelledByBatchrun: false).termination == .exited(3))
    #expect(
      SlurmOutcome(Self.record("FAILED", signal: 9), cancelledByBatchrun: false).termination == .signaled(9))
    let timeout = SlurmOutcome(Self.record("TIMEOUT", signal: 15), cancelledByBatchrun: false)
    #expect(timeout.timedOut)
    for state in ["OUT_OF_MEMORY", "NODE_FAIL", "BOOT_FAIL", "PREEMPTED"] {
      let outcome = SlurmOutcome(Self.record(state, signal: 125), cancelledByBatchrun: false)
      #expect(outcome.termination != .exited(0), "\(state) fails the attempt")
      #expect(outcome.reason?.contains(state) == true)
    }
    let ours = SlurmOutcome(Self.record("CANCELLED", signal: 15), cancelledByBatchrun: true)
    #expect(ours.reason == nil)
    let theirs = SlurmOutcome(Self.record("CANCELLED"), cancelledByBatchrun: false)
    #expect(theirs.termination != .exited(0))
    #expect(theirs.reason?.contains("outside batchrun") == true)
    #expect(SlurmOutcome(Self.record("FAILED"), cancelledByBatchrun: false).termination != .exited(0))
  }

  @Test func resourcesBecomeFlags() {
    #expect(SlurmResources().flags.isEmpty)
    #expect(
      SlurmResources(cpus: 2, memory: 4 << 30, gpus: 1).flags == [
        "--cpus-per-task=2", "--mem=4096M", "--gres=gpu:1",
      ])
    #expect(
      SlurmResources(cpus: 1, memory: 512 * 1024 * 1024 + 1, gpus: 0).flags == [
        "--cpus-per-task=1", "--mem=513M",
      ])
    #expect(SlurmResources(memory: 0).flags.isEmpty)
  }

  @Test("A job's manifest resources become its sbatch flags")
  func manifestResourcesBecomeFlags() throws {
    let manifest = try ManifestLoader.load(
      bytes: Array(
        """
        jobs:
          train: {run: 'true', resources: {cpus: 4, memory: 1536M, gpus: 2}}
          plain: {run: 'true'}
        """.utf8), path: "/m.yaml")
    #expect(
      SlurmResources.of(manifest.jobs[0]).flags == ["--cpus-per-task=4", "--mem=1536M", "--gres=gpu:2"])
    #expect(SlurmResources.of(manifest.jobs[1]).flags == ["--cpus-per-task=1"])
  }

  static func launch(timeout: Duration? = nil) -> JobLaunch {
    JobLaunch(
      job: Job(id: "build", command: .shell("echo 'hi' $X"), timeout: timeout), runID: "r1", attempt: 2,
      arguments: ["/bin/sh", "-c", "echo 'hi' $X"],
      environment: ["X=a b", "SLURM_JOB_ID=99", "BASH_FUNC_f%%=() { :; }", "BATCHRUN_JOB_ID=build"],
      workingDirectory: "/data/work", logPath: "/runs/r1/logs/build.attempt-2.log", killGrace: .seconds(10))
  }

  @Test func submissionFlagsInOrder() {
    let submission = SlurmSubmission(
      launch: Self.launch(), runID: "r1", scriptPath: "/runs/r1/slurm/build.attempt-2.sh",
      timeout: .seconds(3),
      settings: SlurmSettings(
        partition: "gpu", account: "lab", qos: "high", sbatchArguments: ["--exclusive"]),
      resources: SlurmResources(cpus: 4))
    #expect(
      submission.arguments == [
        "sbatch", "--parsable", "--job-name=batchrun:r1:build", "--output=/runs/r1/logs/build.attempt-2.log",
        "--chdir=/data/work", "--no-requeue", "--time=1", "--cpus-per-task=4", "--partition=gpu",
        "--account=lab",
        "--qos=high", "--exclusive", "/runs/r1/slurm/build.attempt-2.sh",
      ])
    #expect(SlurmSubmission.minutes(.seconds(60)) == 1)
    #expect(SlurmSubmission.minutes(.seconds(61)) == 2)
    #expect(SlurmSubmission.minutes(.seconds(3600) + .milliseconds(1)) == 61)
  }

  @Test func scriptSetsTheEnvironmentAndExecsTheCommand() {
    let submission = SlurmSubmission(
      launch: Self.launch(), runID: "r1", scriptPath: "/s.sh", timeout: nil, settings: SlurmSettings())
    let lines = submission.script.split(separator: "\n")
    #expect(lines.first == "#!/bin/sh")
    #expect(lines.contains("export X='a b'"))
    #expect(lines.contains("export BATCHRUN_JOB_ID=build"))
    #expect(!lines.contains { $0.contains("SLURM_JOB_ID") }, "Slurm sets its own variables")
    #expect(!lines.contains { $0.contains("BASH_FUNC") }, "names export cannot take are left out")
    #expect(lines.last == #"exec /bin/sh -c 'echo '\''hi'\'' $X'"#)
    #expect(!submission.arguments.contains { $0.hasPrefix("--time") }, "no timeout, no --time")
  }

  @Test func logPathPercentSignsAreEscaped() {
    var launch = Self.launch()
    launch.logPath = "/runs/100%/a.log"
    let submission = SlurmSubmission(
      launch: launch, runID: "r", scriptPath: "/s", timeout: nil, settings: SlurmSettings())
    #expect(submission.arguments.contains("--output=/runs/100%%/a.log"))
  }

  @Test func readsTheJobIDSbatchPrints() {
    #expect(SlurmExecutor.jobID(in: "123\n") == "123")
    #expect(SlurmExecutor.jobID(in: "456;cluster\n") == "456")
    #expect(SlurmExecutor.jobID(in: "sbatch: error\n") == nil)
  }

  @Test func tellsSlurmsOwnFailuresFromAJobs() {
    #expect(
      SlurmFailure.isAboutSlurm(
        "sbatch: error: Batch job submission failed: Unable to contact slurm controller"))
    #expect(
      !SlurmFailure.isAboutSlurm(
        "sbatch: error: Batch job submission failed: Invalid partition name specified"))
  }

  @Test func manifestExecutorKey() throws {
    #expect(try load("jobs:\n  a: {run: 'true'}\n").executor == nil)
    #expect(try load("executor: local\njobs:\n  a: {run: 'true'}\n").executor == .local)
    #expect(try load("executor: slurm\njobs:\n  a: {run: 'true'}\n").executor == .slurm(SlurmSettings()))
    let manifest = try load(
      """
      executor:
        slurm: {partition: debug, account: lab, qos: normal, sbatch-args: [--exclusive, --nice=10]}
      jobs:
        a: {run: 'true'}
      """)
    #expect(
      manifest.executor
        == .slurm(
          SlurmSettings(
            partition: "debug", account: "lab", qos: "normal", sbatchArguments: ["--exclusive", "--nice=10"]))
    )
  }

  @Test(arguments: [
    ("executor: pbs\n", "unknown executor 'pbs'"),
    ("executor: {slurm: {partiton: x}}\n", "did you mean 'partition'"),
    ("executor: {lsf: {}}\n", "one key 'slurm'"),
    ("executor: {slurm: {sbatch-args: --x}}\n", "'sbatch-args'"),
  ])
  func invalidExecutors(_ text: String, _ message: String) throws {
    let found = try #require(diagnostics(loading: Array((text + "jobs:\n  a: {run: 'true'}\n").utf8)))
    #expect(found.contains { $0.message.contains(message) }, "\(found.map(\.message))")
  }
}
