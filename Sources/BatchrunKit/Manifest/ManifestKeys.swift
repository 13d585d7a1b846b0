/// The keys a manifest may use, and the words people write instead of them.
enum ManifestKeys {
  static let topLevel = [
    "version", "name", "concurrency", "shell", "env", "defaults", "jobs", "executor", "vars", "dotenv",
    "secrets",
    "include", "pools", "gpus", "jobserver",
  ]
  /// Top-level keys an included manifest may not set: they are the run's.
  static let mainOnly: Set<String> = ["name", "concurrency", "gpus", "executor", "jobserver"]
  static let job = [
    "run", "argv", "needs", "env", "cwd", "timeout", "retries", "retry-delay", "allow-failure",
    "when", "description", "matrix", "resources", "pool", "inputs", "outputs", "dotenv", "retry-backoff",
    "retry-max-delay", "retry-on",
  ]
  /// Job keys that `defaults` may not set.
  static let perJobOnly: Set<String> = ["run", "argv", "needs", "matrix"]
  static let defaults = job.filter { !perJobOnly.contains($0) }

  /// Keys from other tools (GitHub Actions, Task, compose, GitLab CI) and their batchrun names.
  static let synonyms: [String: String] = [
    "depends": "needs", "depends-on": "needs", "depends_on": "needs", "dependencies": "needs",
    "deps": "needs", "requires": "needs", "after": "needs", "need": "needs",
    "command": "run", "cmd": "run", "script": "run", "sh": "run", "shell": "run",
    "args": "argv", "exec": "argv", "environment": "env", "variables": "vars",
    "dir": "cwd", "workdir": "cwd", "working-directory": "cwd", "working_dir": "cwd",
    "retry": "retries", "attempts": "retries", "retry_delay": "retry-delay",
    "retrydelay": "retry-delay", "allow_failure": "allow-failure",
    "continue-on-error": "allow-failure", "allowfailure": "allow-failure",
    "if": "when", "condition": "when", "desc": "description", "summary": "description",
    "timeout-minutes": "timeout", "time-limit": "timeout",
    "parallelism": "concurrency", "jobs-limit": "concurrency", "workers": "concurrency",
    "tasks": "jobs", "steps": "jobs", "targets": "jobs", "default": "defaults",
    "strategy": "matrix", "includes": "include", "imports": "include", "import": "include",
    "env-file": "dotenv", "env_file": "dotenv", "envfile": "dotenv", "env-files": "dotenv",
    "resource": "resources", "limits": "resources", "backoff": "retry-backoff",
  ]

  /// The key `word` most likely stands for among `known`, by synonym or edit distance.
  static func suggestion(for word: String, in known: [String]) -> String? {
    let lowered = word.lowercased()
    if let target = synonyms[lowered], known.contains(target), target != word { return target }
    if let close = Suggestion.closest(to: word, in: known) { return close }
    let aliases = synonyms.filter { known.contains($0.value) && $0.value != word }
    return Suggestion.closest(to: word, in: aliases.keys.sorted()).flatMap { aliases[$0] }
  }
}
