/**
 * Graph helpers for the resolver. A node's `depends` are the ids it needs; edges point from an
 * extension to its dependencies ("C → A" = C depends on A).
 */
export interface GraphNode {
  id: string;
  depends: readonly string[];
  sortPriority: number;
}

/**
 * Specter's callback order (callback_executor.py), reproduced exactly:
 * 1. Kahn's topological sort starting from the extensions nobody depends on;
 * 2. while popping a node, each of its dependencies gets
 *    `dependency_level = max(existing, level(node) + 1)` — so a dependency always sits deeper
 *    than everything that needs it;
 * 3. stable sort by (-dependency_level, -sortPriority); ties keep the input (discovery) order.
 *
 * Dependencies therefore come first, and among independent extensions the higher sortPriority
 * first. Specter's test: C→A, D→[C,B], F→[A,D], sortPriority A=2, B=1, E=3 gives A,B,C,D,E,F.
 * The graph must be acyclic (see {@link findCycles}); edges to ids not in `nodes` are ignored.
 */
export function dependencyOrder<N extends GraphNode>(nodes: readonly N[]): Array<{ node: N; level: number }> {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const deps = new Map(nodes.map((n) => [n.id, [...new Set(n.depends)].filter((d) => byId.has(d) && d !== n.id)]));
  const dependents = new Map<string, number>(nodes.map((n) => [n.id, 0]));
  for (const n of nodes) for (const d of deps.get(n.id)!) dependents.set(d, dependents.get(d)! + 1);
  const level = new Map<string, number>(nodes.map((n) => [n.id, 0]));
  const queue = nodes.filter((n) => dependents.get(n.id) === 0).map((n) => n.id);
  for (let i = 0; i < queue.length; i++) {
    const id = queue[i]!;
    for (const d of deps.get(id)!) {
      level.set(d, Math.max(level.get(d)!, level.get(id)! + 1));
      const left = dependents.get(d)! - 1;
      dependents.set(d, left);
      if (left === 0) queue.push(d);
    }
  }
  if (queue.length !== nodes.length) throw new Error('Graph contains a cycle.');
  const indexed = nodes.map((node, index) => ({ node, level: level.get(node.id)!, index }));
  indexed.sort((a, b) => b.level - a.level || b.node.sortPriority - a.node.sortPriority || a.index - b.index);
  return indexed.map(({ node, level: l }) => ({ node, level: l }));
}

/**
 * Every dependency cycle, as a closed path `[a, b, a]`, one per strongly connected component
 * (Tarjan). Nodes outside cycles (also those that merely depend on a cycle) are not reported.
 */
export function findCycles(nodes: readonly GraphNode[]): Array<{ members: string[]; path: string[] }> {
  const ids = new Set(nodes.map((n) => n.id));
  const edges = new Map(nodes.map((n) => [n.id, [...new Set(n.depends)].filter((d) => ids.has(d))]));
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];

  const visit = (v: string) => {
    index.set(v, counter);
    low.set(v, counter);
    counter++;
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v)!) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const comp: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        comp.push(w);
      } while (w !== v);
      const selfLoop = comp.length === 1 && edges.get(v)!.includes(v);
      if (comp.length > 1 || selfLoop) components.push(comp);
    }
  };
  // Extension counts are small (tens); recursion depth is not a concern.
  for (const n of nodes) if (!index.has(n.id)) visit(n.id);

  return components.map((comp) => {
    const members = new Set(comp);
    // Walk inside the component from its first member (input order) until a node repeats.
    const start = nodes.find((n) => members.has(n.id))!.id;
    const path = [start];
    const seen = new Map([[start, 0]]);
    let cur = start;
    for (;;) {
      const next = edges.get(cur)!.find((d) => members.has(d))!;
      if (seen.has(next)) {
        const cycle = path.slice(seen.get(next)!);
        cycle.push(next);
        return { members: nodes.filter((n) => members.has(n.id)).map((n) => n.id), path: cycle };
      }
      seen.set(next, path.length);
      path.push(next);
      cur = next;
    }
  });
}
