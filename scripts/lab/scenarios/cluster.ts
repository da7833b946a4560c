import { medianAndSpread, searchCapacity, type SearchResult } from "../capacity-search.js";
import type { LabContext, ModeRun, ScenarioResult } from "../scenario-types.js";
import { startSystem, type RunningSystem } from "../systems.js";
import { closestToMedian, cpuTotal, runAtBaseline, type AtBaseline } from "./at-baseline.js";
import { capacitySearchSettings } from "./capacity.js";

/** The highest sustained rate on one server and on the cluster: both warmed up, then searched in turn each round. */
async function capacities(ctx: LabContext): Promise<[SearchResult[], SearchResult[]]> {
  const s = ctx.settings;
  const systems: RunningSystem[] = [];
  const results: [SearchResult[], SearchResult[]] = [[], []];
  try {
    systems.push(await startSystem(ctx, "cluster-capacity-r1", "nats"));
    systems.push(await startSystem(ctx, "cluster-capacity-r3", "nats", { cluster: 3 }));
    for (const [i, system] of systems.entries())
      await system.load({
        rate: s.warmupRate,
        durationMs: s.warmupMs,
        drainTimeoutMs: s.drainTimeoutMs,
        progressLabel: `cluster capacity ${i === 0 ? "r1" : "r3"} warm-up`,
      });
    for (let round = 1; round <= s.capacityRounds; round++)
      for (const [i, system] of systems.entries()) {
        const result = await searchCapacity(system, capacitySearchSettings(ctx), round, results[i as 0 | 1].at(-1)?.capacity || undefined);
        results[i as 0 | 1].push(result);
      }
  } finally {
    for (const system of systems) await system.stop();
  }
  return results;
}

/**
 * What replication costs on one machine: the NATS mode at the baseline rate
 * on one nats-server (streams with one replica) and on a 3-node JetStream
 * cluster (three replicas), side by side in each round, every run started
 * afresh, and the highest rate each sustains. This is the replication
 * overhead, not scale: the three nodes share the machine's cores. Broker CPU
 * is all the nodes' together.
 */
export async function clusterScenario(ctx: LabContext): Promise<ScenarioResult> {
  const single: AtBaseline[] = [];
  const replicated: AtBaseline[] = [];
  if (ctx.modes.includes("nats"))
    for (let round = 1; round <= ctx.settings.comparisonRounds; round++) {
      single.push(await runAtBaseline(ctx, "nats", `cluster-r1-${round}`, {}));
      replicated.push(await runAtBaseline(ctx, "nats", `cluster-r3-${round}`, { cluster: 3 }));
    }
  const runs: ModeRun[] = [];
  const [capOne, capThree] = single.length > 0 ? await capacities(ctx) : [[], []];
  const sustained = (list: SearchResult[]) => {
    const { median, min, max } = medianAndSpread(list.map((r) => r.capacity));
    return `${list.some((r) => r.atMaxRate) ? "≥ " : ""}${median}${min === max ? "" : ` (${min}–${max})`}`;
  };
  if (single.length > 0) {
    const one = medianAndSpread(single.map((r) => cpuTotal(r.cpu)));
    const three = medianAndSpread(replicated.map((r) => cpuTotal(r.cpu)));
    const median = (list: AtBaseline[], pick: (r: AtBaseline) => number) => medianAndSpread(list.map(pick)).median;
    const chosen = closestToMedian(replicated, three.median);
    runs.push({
      mode: "nats",
      load: chosen.load,
      cpu: chosen.cpu,
      figures: {
        cpuMsPerOrderOneServer: one.median,
        cpuMsPerOrderThreeReplicas: three.median,
        brokerCpuOneServer: median(single, (r) => r.cpu.broker ?? 0),
        brokerCpuThreeNodes: median(replicated, (r) => r.cpu.broker ?? 0),
        replicationCostShare: one.median > 0 ? `${Math.round(((three.median - one.median) / one.median) * 100)}%` : "–",
        completeP50OneServer: median(single, (r) => r.load.complete.p50),
        completeP50ThreeReplicas: median(replicated, (r) => r.load.complete.p50),
        acceptP50OneServer: median(single, (r) => r.load.accept.p50),
        acceptP50ThreeReplicas: median(replicated, (r) => r.load.accept.p50),
        capacityOneServer: sustained(capOne),
        capacityThreeReplicas: sustained(capThree),
      },
    });
  }
  return { id: "cluster", title: "Replication: one nats-server vs a 3-node cluster with 3 replicas", runs };
}
