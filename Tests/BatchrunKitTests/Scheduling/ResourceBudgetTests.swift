@testable import BatchrunKit
import Testing

@Suite("Resource budget and retry policy")
struct ResourceBudgetTests {
  func job(_ id: String, cpus: Int = 1, memory: Int = 0, gpus: Int = 0, pool: String? = nil) -> Job {
    Job(
      id: id, command: .argv(["true"]), resources: JobResources(cpus: cpus, memory: memory, gpus: gpus),
      pool: pool)
  }

  @Test("cpus fit within -j; a job asking for more than -j counts as -j and still runs alone")
  func cpus() {
    var budget = ResourceBudget(cpus: 4)
    let two = job("two", cpus: 2)
    #expect(budget.fits(two))
    _ = budget.take(two)
    _ = budget.take(two)
    #expect(!budget.fits(job("one")))
    budget.release(two, gpus: [])
    #expect(budget.fits(job("one")))
    #expect(budget.demand(of: job("big", cpus: 16)).cpus == 4)
    #expect(
      budget.warnings(for: [job("big", cpus: 16)]) == [
        "job 'big' asks for 16 cpus, more than -j 4: it is given 4"
      ])
  }

  @Test("Pools hold their depth; memory fits the budget; a job too big for it runs alone")
  func poolsAndMemory() {
    var budget = ResourceBudget(cpus: 8, memory: 1 << 30, pools: ["db": 1])
    let migrate = job("m", pool: "db")
    _ = budget.take(migrate)
    #expect(!budget.fits(job("m2", pool: "db")))
    #expect(budget.fits(job("x")))
    #expect(!budget.fits(job("huge", memory: 2 << 30)))
    budget.release(migrate, gpus: [])
    #expect(budget.fits(job("huge", memory: 2 << 30)), "nothing runs: it may start")
  }

  @Test("GPU ids are handed out lowest first and never twice")
  func gpus() {
    var budget = ResourceBudget(cpus: 8, gpuIDs: ["0", "1", "2"])
    let a = job("a", gpus: 2)
    let first = budget.take(a)
    #expect(first == ["0", "1"])
    #expect(!budget.fits(job("b", gpus: 2)))
    #expect(budget.take(job("c", gpus: 1)) == ["2"])
    budget.release(a, gpus: first)
    #expect(budget.take(job("d", gpus: 1)) == ["0"])
  }

  @Test("retry-backoff multiplies the delay after each attempt; retry-max-delay caps it")
  func delays() {
    var job = job("r")
    job.retryDelay = .milliseconds(100)
    job.retryPolicy = RetryPolicy(backoff: 3, maxDelay: .milliseconds(500))
    #expect((1...4).map { job.retryDelay(after: $0) } == [100, 300, 500, 500].map { .milliseconds($0) })
    job.retryPolicy = RetryPolicy()
    #expect(job.retryDelay(after: 5) == .milliseconds(100))
  }

  @Test("retry-on: listed exit codes, timeouts only when listed; no list retries any failure")
  func retryOn() {
    let listed = RetryPolicy(exitCodes: [75, 143], timeouts: false)
    #expect(listed.retries(status: .failed, exitCode: 75))
    #expect(!listed.retries(status: .failed, exitCode: 1))
    #expect(!listed.retries(status: .timedOut, exitCode: nil))
    #expect(RetryPolicy().retries(status: .failed, exitCode: 1))
    #expect(RetryPolicy().retries(status: .timedOut, exitCode: nil))
    #expect(!RetryPolicy().retries(status: .cancelled, exitCode: nil))
  }

  @Test("Sizes: K, M, G, T are powers of 1024; a bare number is bytes")
  func sizes() {
    #expect(ByteSize.bytes("512M") == 512 << 20)
    #expect(ByteSize.bytes("4G") == 4 << 30)
    #expect(ByteSize.bytes("1T") == 1 << 40)
    #expect(ByteSize.bytes("100") == 100)
    #expect(ByteSize.bytes("4 GB") == nil)
    #expect(ByteSize.bytes("-1G") == nil)
    #expect(ByteSize.bytes("99999999999T") == nil)
  }
}
