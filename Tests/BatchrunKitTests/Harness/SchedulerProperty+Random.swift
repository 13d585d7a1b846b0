/// Support for the scheduler's property tests (``SchedulerPropertyTests``): a seeded
/// generator of cases, an executor and an observer that trace a run in one global
/// order, and a reference model that checks a traced run against docs/manifest.md
/// (`when`) and docs/cli.md (failure policies).
enum SchedulerProperty {}

extension SchedulerProperty {
  /// SplitMix64: a tiny, fast, seedable generator, so that a generated case can be
  /// rebuilt from its seed alone.
  struct Random: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
      state = seed
    }

    mutating func next() -> UInt64 {
      state &+= 0x9E37_79B9_7F4A_7C15
      var mixed = state
      mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
      mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
      return mixed ^ (mixed >> 31)
    }

    /// The `index`-th seed after `base`, well spread even for neighbouring indices.
    static func seed(_ index: Int, after base: UInt64) -> UInt64 {
      var generator = Random(seed: base &+ UInt64(index) &* 0x2545_F491_4F6C_DD1D)
      return generator.next()
    }

    /// True with probability `probability`.
    mutating func chance(_ probability: Double) -> Bool {
      Double(next() >> 11) / Double(UInt64(1) << 53) < probability
    }

    /// A uniform integer in `range` (by rejection, so without bias).
    mutating func int(in range: ClosedRange<Int>) -> Int {
      let width = UInt64(range.upperBound - range.lowerBound) + 1
      let limit = UInt64.max - UInt64.max % width
      while true {
        let value = next()
        if value < limit { return range.lowerBound + Int(value % width) }
      }
    }

    mutating func pick<Element>(_ elements: [Element]) -> Element {
      elements[int(in: 0...(elements.count - 1))]
    }
  }
}
