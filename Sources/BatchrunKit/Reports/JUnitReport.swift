import Glibc

/// JUnit XML for CI systems (`batchrun run --junit PATH`, `batchrun report --format junit`),
/// made from a ``ReportDocument``, so that a live run and any saved report (also an
/// `incomplete` one rebuilt from a journal) give the same file. `schemas/junit.xsd`
/// describes exactly what is written.
///
/// One `<testsuites>` root holds one `<testsuite>` for the run: `name` is the manifest's
/// name, `time` the run's wall time, `timestamp` its start in UTC (as Ant writes it:
/// `xs:dateTime` without zone or fraction), `hostname` the host's, and `<properties>`
/// the run id, status, exit code, manifest path and batchrun version. Each job is a
/// `<testcase>`, in manifest order: `classname` is the manifest's name, `name` the job
/// id, `time` its duration (0 if it never started). A job's status becomes:
///
/// | status | child of `<testcase>` | counted in |
/// |---|---|---|
/// | `succeeded` | none | `tests` only |
/// | `failed` with an exit code (127: could not start) | `<failure type="exit" message="exit 3">` | `failures` |
/// | `failed`, ended by a signal | `<error type="signal" message="killed by SIGSEGV">` | `errors` |
/// | `timed_out` | `<error type="timeout" message="timed out after 1.52s, ended by SIGTERM">` (the last attempt's run time) | `errors` |
/// | `skipped`, `cancelled` | `<skipped message="REASON">` | `skipped` |
/// | `failed` or `timed_out` with `allow-failure` | `<skipped message="allowed to fail: exit 3">` | `skipped` |
///
/// A failure a job is allowed is reported as skipped, not as a pass: CI systems (Jenkins,
/// GitLab, GitHub test reporters) fail a build on failures and errors only, so it does
/// not fail the build, as it does not fail the run; but they list skipped tests with
/// their message in the summary, where a passed test with a note in its output would go
/// unseen. The suite also gets a `batchrun.allowed_failure` property naming each such job,
/// so a tool can tell these from jobs that did not run (properties go on the suite only:
/// the stricter JUnit schemas have none on a testcase).
///
/// `<failure>` and `<error>` hold a few lines on the job (command, attempts, log path);
/// `<system-out>` holds the last ``logLines`` lines of the job's last log, read from
/// `runDirectory` (the report has no path to it; no `<system-out>` without one; at most its
/// last 64 KiB are read, and never a path leading out of it), with terminal escape
/// sequences removed. Characters XML 1.0 cannot hold (control characters
/// but tab, newline and carriage return; U+FFFE, U+FFFF) become U+FFFD, as do bytes of a
/// log that are not UTF-8.
public enum JUnitReport {
  /// Lines of a job's log kept in `<system-out>`.
  static let logLines = 50
  /// At most this many bytes are read from the end of a log.
  static let logTailBytes = 64 * 1024

  /// The JUnit XML of `report`; logs are read from `runDirectory` if it is given.
  public static func render(_ report: ReportDocument, runDirectory: String? = nil) -> String {
    let suite = report.manifest.name ?? "batchrun"
    let jobs = report.jobs
    let verdicts = jobs.map(verdict)
    func count(_ element: String) -> Int { verdicts.filter { $0.outcome.element == element }.count }
    let (failures, errors, skipped) = (count("failure"), count("error"), count("skipped"))
    let counts =
      "tests=\"\(jobs.count)\" failures=\"\(failures)\" errors=\"\(errors)\" skipped=\"\(skipped)\""
      + " time=\"\(decimalSeconds(report.durationSeconds))\""

    var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    out += "<testsuites name=\"batchrun\" \(counts)>\n"
    out += "  <testsuite name=\"\(escape(suite))\" \(counts)"
    if let timestamp = timestamp(report.startedAt) {
      out += " timestamp=\"\(timestamp)\""
    }
    if let hostname = report.host.hostname {
      out += " hostname=\"\(escape(hostname))\""
    }
    out += ">\n"

    var properties: [(String, String)] = []
    if let runID = report.runID { properties.append(("batchrun.run_id", runID)) }
    if let status = report.status { properties.append(("batchrun.status", status.rawValue)) }
    if let code = report.exitCode {
      properties.append(("batchrun.exit_code", String(code)))
    }
    if let path = report.manifest.path { properties.append(("batchrun.manifest", path)) }
    if let version = report.tool.version {
      properties.append(("batchrun.version", version))
    }
    for (job, verdict) in zip(jobs, verdicts) where verdict.allowed {
      properties.append(("batchrun.allowed_failure", name(of: job)))
    }
    if !properties.isEmpty {
      out += "    <properties>\n"
      for (name, value) in properties {
        out += "      <property name=\"\(name)\" value=\"\(escape(value))\"/>\n"
      }
      out += "    </properties>\n"
    }

    for (job, verdict) in zip(jobs, verdicts) {
      out += "    <testcase classname=\"\(escape(suite))\" name=\"\(escape(name(of: job)))\""
      out += " time=\"\(decimalSeconds(job.durationSeconds))\""
      let log = job.log.flatMap { path in runDirectory.map { logTail(path, in: $0) } } ?? ""
      if verdict.outcome == .passed, log.isEmpty {
        out += "/>\n"
        continue
      }
      out += ">\n"
      switch verdict.outcome {
      case .passed: break
      case .failure(let type, let message), .error(let type, let message):
        let element = verdict.outcome.element ?? ""
        out += "      <\(element) message=\"\(escape(message))\" type=\"\(type)\">"
        out += escape(detail(job), inAttribute: false) + "</\(element)>\n"
      case .skipped(let message):
        out += "      <skipped message=\"\(escape(message))\"/>\n"
      }
      if !log.isEmpty {
        out += "      <system-out>\(escape(log, inAttribute: false))</system-out>\n"
      }
      out += "    </testcase>\n"
    }
    out += "  </testsuite>\n</testsuites>\n"
    return out
  }

  // MARK: - Statuses

  /// What CI shows for a job.
  enum Outcome: Equatable {
    case passed
    /// `type` is `exit`, or `failed` when the report has neither exit code nor signal.
    case failure(type: String, message: String)
    /// `type` is `timeout` or `signal`.
    case error(type: String, message: String)
    case skipped(message: String)

    /// The child element of `<testcase>`; `nil` for a pass.
    var element: String? {
      switch self {
      case .passed: nil
      case .failure: "failure"
      case .error: "error"
      case .skipped: "skipped"
      }
    }
  }

  /// A job's outcome; `allowed` when it is a failure the job is allowed, shown as skipped.
  static func verdict(_ job: ReportDocument.Job) -> (outcome: Outcome, allowed: Bool) {
    let problem: Outcome
    let message: String
    switch job.status {
    case .succeeded:
      return (.passed, false)
    case .skipped, .cancelled, .upToDate:
      let reason = job.reason ?? ""
      return (.skipped(message: reason.isEmpty ? job.status.rawValue : reason), false)
    case .failed:
      if let code = job.exitCode {
        message = "exit \(code)"
        problem = .failure(type: "exit", message: message)
      } else if let signal = job.signal {
        message = "killed by \(signal)"
        problem = .error(type: "signal", message: message)
      } else {
        message = "failed"
        problem = .failure(type: "failed", message: message)
      }
    case .timedOut:
      let ran = job.attempts.last?.durationSeconds
      message =
        "timed out" + (ran.map { " after " + DurationText.format(seconds: $0) } ?? "")
        + (job.signal.map { ", ended by \($0)" } ?? "")
      problem = .error(type: "timeout", message: message)
    }
    if job.allowFailure {
      return (.skipped(message: "allowed to fail: " + message), true)
    }
    return (problem, false)
  }

  /// The text of `<failure>` and `<error>`: the command, the attempts and the log's path.
  static func detail(_ job: ReportDocument.Job) -> String {
    var lines: [String] = []
    if let command = job.command {
      lines.append("command: " + command)
    } else if job.argv != nil {
      lines.append("argv: " + job.commandLine)
    }
    if job.attempts.count > 1 { lines.append("attempts: \(job.attempts.count)") }
    if let log = job.log { lines.append("log: " + log) }
    return lines.joined(separator: "\n")
  }

  /// The test case's name: the job's id, `?` for an empty one.
  static func name(of job: ReportDocument.Job) -> String {
    job.id.isEmpty ? "?" : job.id
  }

  // MARK: - Values

  /// Seconds with three decimals (`1.500`), 0 for none, negative or not finite.
  static func decimalSeconds(_ value: Double?) -> String {
    guard let value, value.isFinite, value > 0 else { return "0.000" }
    let milliseconds = Int64((min(value, 1e12) * 1000).rounded())
    let fraction = String(milliseconds % 1000)
    return "\(milliseconds / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
  }

  /// `2026-11-27T04:45:14` for `2026-11-27T04:45:14.123Z`; `nil` unless it is a real UTC
  /// time (after 1970) in the report's form.
  static func timestamp(_ rfc3339: String?) -> String? {
    guard let rfc3339, let instant = WallClock.Instant(rfc3339: rfc3339), instant.millisecondsSinceEpoch >= 0
    else { return nil }
    return String(rfc3339.prefix(19))
  }

  /// `text` for an attribute value in double quotes (`inAttribute`) or for element
  /// content: markup characters as entities, a carriage return as a character reference
  /// (a parser reads a bare one as a newline), also tab and newline in an attribute (a
  /// parser reads them as spaces there), and characters XML 1.0 cannot hold as U+FFFD.
  static func escape(_ text: String, inAttribute: Bool = true) -> String {
    let plain = text.utf8.allSatisfy {
      ($0 >= 0x20 || (!inAttribute && ($0 == 0x09 || $0 == 0x0A))) && $0 != UInt8(ascii: "&")
        && $0 != UInt8(ascii: "<") && $0 != UInt8(ascii: ">")
        && $0 != UInt8(ascii: "\"") && $0 != 0xEF  // 0xEF starts U+FFFE and U+FFFF
    }
    if plain { return text }
    var out = ""
    out.reserveCapacity(text.utf8.count)
    for scalar in text.unicodeScalars {
      switch scalar.value {
      case 0x26: out += "&amp;"
      case 0x3C: out += "&lt;"
      case 0x3E: out += "&gt;"
      case 0x22: out += "&quot;"
      case 0x09, 0x0A: out += inAttribute ? "&#\(scalar.value);" : String(scalar)
      case 0x0D: out += "&#13;"
      case 0..<0x20, 0xFFFE, 0xFFFF: out += "\u{FFFD}"
      default: out.unicodeScalars.append(scalar)
      }
    }
    return out
  }

  // MARK: - Logs

  /// The last ``logLines`` lines of the log at `relative` in `runDirectory`, terminal
  /// escape sequences removed; empty if there is no such file or it is empty, or the path
  /// leads outside the run directory.
  static func logTail(_ relative: String, in runDirectory: String, lines count: Int = logLines) -> String {
    guard LogText.staysInsideRunDirectory(relative) else { return "" }
    guard
      let (lines, cut) = LogText.tailLines(
        ofFile: runDirectory + "/" + relative, maxBytes: logTailBytes, lines: count, keepingCutLine: true)
    else {
      // A missing log is normal for a copied report; any other failure is worth a word.
      return errno == ENOENT
        ? "" : "[batchrun: cannot read \(relative): \(SystemFailure.text(of: errno))]\n"
    }
    if lines.isEmpty { return "" }
    let text = lines.joined(separator: "\n") + "\n"
    let note = cut ? "[batchrun: earlier lines left out; the whole log is \(relative)]\n" : ""
    return note + LogText.removingEscapeSequences(text)
  }

}
