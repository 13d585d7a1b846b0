/// Writes a plan's graph as Graphviz dot, Mermaid or JSON; edges run from a need to its dependent.
public enum GraphRenderer {
  public enum Format: String, Sendable, CaseIterable {
    case dot, mermaid, json
  }

  public static func render(_ plan: Plan, as format: Format) -> String {
    let jobs = plan.graph.jobs
    let edges = plan.selected.flatMap { job in plan.graph.needs[job].map { (from: $0, to: job) } }
    switch format {
    case .dot:
      var out = "digraph \(JSON.quote(plan.manifest.name)) {\n  rankdir=LR;\n"
      for job in plan.selected { out += "  \(JSON.quote(jobs[job].id));\n" }
      for edge in edges { out += "  \(JSON.quote(jobs[edge.from].id)) -> \(JSON.quote(jobs[edge.to].id));\n" }
      return out + "}\n"
    case .mermaid:
      // Mermaid node ids allow fewer characters than job ids: number them, label with the id.
      var out = "flowchart LR\n"
      for job in plan.selected { out += "  j\(job)[\"\(jobs[job].id)\"]\n" }
      for edge in edges { out += "  j\(edge.from) --> j\(edge.to)\n" }
      return out
    case .json:
      let nodes = plan.selected.map { job in
        JSON.object([
          ("id", .string(jobs[job].id)),
          ("needs", .array(plan.graph.needs[job].map { .string(jobs[$0].id) })),
        ])
      }
      let links = edges.map {
        JSON.object([("from", .string(jobs[$0.from].id)), ("to", .string(jobs[$0.to].id))])
      }
      return JSON.object([
        ("name", .string(plan.manifest.name)), ("jobs", .array(nodes)), ("edges", .array(links)),
      ]).rendered(pretty: true) + "\n"
    }
  }
}
