import { basename } from "node:path";

/** The parts of a V8 .cpuprofile (what `node --cpu-prof` writes) that the ranking reads. */
export interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }>;
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface FunctionCost {
  /** "name file:line", the way DevTools names a function. */
  name: string;
  selfMs: number;
  /** Time with this function anywhere on the stack (counted once per sample, however deep it recurses). */
  totalMs: number;
}

export interface ProfileRanking {
  sampledMs: number;
  functions: FunctionCost[];
}

function label(frame: CpuProfile["nodes"][number]["callFrame"]): string {
  const file = frame.url ? basename(frame.url.replace(/^file:\/\//, "")) : "";
  const name = frame.functionName || (file ? "(anonymous)" : "");
  return file ? `${name} ${file}:${frame.lineNumber + 1}` : name;
}

/**
 * Ranks the functions of a CPU profile by self and inclusive time. Each sample
 * is charged its time delta: to its leaf (self) and to every distinct function
 * on its stack (inclusive). "(idle)" and "(program)" are kept, so the shares add up.
 * Samples taken before `fromUs` (the monotonic clock in µs, as process.hrtime
 * gives it on the same machine) are left out: a warm-up, for instance.
 */
export function rankProfile(profile: CpuProfile, fromUs = 0): ProfileRanking {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const costs = new Map<string, FunctionCost>();
  const cost = (name: string) => {
    let c = costs.get(name);
    if (!c) costs.set(name, (c = { name, selfMs: 0, totalMs: 0 }));
    return c;
  };
  let sampledMs = 0;
  let at = profile.startTime;
  profile.samples.forEach((leaf, i) => {
    at += profile.timeDeltas[i] ?? 0;
    // A delta belongs to the sample after it; the first delta is the gap since the profile started.
    const ms = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    if (ms <= 0 || at < fromUs) return;
    sampledMs += ms;
    const leafNode = byId.get(leaf);
    if (!leafNode) return;
    cost(label(leafNode.callFrame)).selfMs += ms;
    const seen = new Set<string>();
    for (let id: number | undefined = leaf; id !== undefined; id = parent.get(id)) {
      const node = byId.get(id);
      if (!node) break;
      const name = label(node.callFrame);
      if (name === "(root)" || seen.has(name)) continue;
      seen.add(name);
      cost(name).totalMs += ms;
    }
  });
  return { sampledMs, functions: [...costs.values()] };
}

/** The top `n` by self time and by inclusive time, as text; `orders` turns times into ms per order. */
export function formatRanking(title: string, ranking: ProfileRanking, n: number, orders: number): string {
  const busy = ranking.functions.filter((f) => f.name !== "(idle)");
  const busyMs = ranking.sampledMs - (ranking.functions.find((f) => f.name === "(idle)")?.selfMs ?? 0);
  const row = (f: FunctionCost, ms: number) =>
    `  ${ms.toFixed(0).padStart(7)} ms ${((ms / Math.max(busyMs, 1e-9)) * 100).toFixed(1).padStart(5)}%  ${orders > 0 ? (ms / orders).toFixed(3).padStart(7) : "      –"} ms/order  ${f.name}`;
  const top = (key: "selfMs" | "totalMs") =>
    [...busy]
      .sort((a, b) => b[key] - a[key])
      .slice(0, n)
      .map((f) => row(f, f[key]));
  return [
    `${title}: ${busyMs.toFixed(0)} ms busy of ${ranking.sampledMs.toFixed(0)} ms sampled${orders > 0 ? `, ${(busyMs / orders).toFixed(3)} ms per order` : ""}`,
    ` by self time (share of busy time):`,
    ...top("selfMs"),
    ` by inclusive time:`,
    ...top("totalMs"),
  ].join("\n");
}
