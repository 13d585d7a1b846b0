/// What a job asks for while it runs: `resources` in docs/manifest.md.
struct JobResources: Sendable, Hashable {
  /// Cpus it counts against the `-j` budget; 1 when not given.
  var cpus: Int
  /// Bytes it counts against the `--memory` budget; 0 when not given.
  var memory: Int
  /// How many of the run's GPU ids it is given; 0 when not given.
  var gpus: Int

  init(cpus: Int = 1, memory: Int = 0, gpus: Int = 0) {
    self.cpus = cpus
    self.memory = memory
    self.gpus = gpus
  }
}
