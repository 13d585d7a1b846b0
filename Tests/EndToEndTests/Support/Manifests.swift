/// Manifests the end-to-end tests write into their temporary directories.
enum Manifests {
  /// fetch -> build -> test and fetch -> docs -> test; lint stands alone.
  static let diamond = """
    name: diamond
    jobs:
      fetch:
        run: curl -O data
      build:
        run: make
        needs: fetch
      docs:
        argv: [make, docs]
        needs: fetch
      test:
        run: make test
        needs: [build, docs]
      lint:
        run: swiftlint

    """

  static let single = """
    jobs:
      only:
        run: echo only

    """

  /// Three problems, found by different checks, on lines 4, 6 and 9.
  static let broken = """
    jobs:
      build:
        run: make
        retries: -1
      test:
        dependss: build
        run: make test
      deploy:
        needs: [biuld]
        run: ./deploy.sh

    """

  /// The diagnostics `broken` gives, after `file`.
  static func brokenDiagnostics(_ file: String) -> [String] {
    [
      "\(file):4:14: error: 'retries' in job 'build' must be 0 or more, got -1",
      "\(file):6:5: error: unknown key 'dependss' in job 'test' (did you mean 'needs'?)",
      "\(file):9:13: error: job 'deploy' needs 'biuld', which is not a job (did you mean 'build'?)",
    ]
  }
}
