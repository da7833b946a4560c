import { medianAndSpread, searchCapacity, type SearchResult, type SearchSettings } from "../capacity-search.js";
import type { LabContext, ModeRun, ScenarioResult } from "../scenario-types.js";
import { RAW_OF, startSystem, systemsOf, type RunningSystem, type SystemId } from "../systems.js";

/** The capacity search as the lab's settings define it. */
export function capacitySearchSettings(ctx: LabContext): SearchSettings {
  const s = ctx.settings;
  return {
    startRate: s.capacityStartRate,
    maxRate: s.capacityMaxRate,
    stepMs: s.capacityStepMs,
    refineSteps: s.capacityRefineSteps,
    p99BoundMs: s.p99BoundMs,
    errorBound: s.errorBound,
    drainTimeoutMs: s.drainTimeoutMs,
  };
}

/**
 * The highest rate each mode and each bare chain sustains. All systems are
 * started and warmed up first; then each round searches every system in turn,
 * a mode next to its bare chain, so that a slow moment of the machine falls
 * on both. Later rounds start from the previous round's figure. The report
 * gives the median of the rounds and their spread, and the CPU each process
 * spent per order at every probe.
 */
export async function capacity(ctx: LabContext): Promise<ScenarioResult> {
  const s = ctx.settings;
  const search = capacitySearchSettings(ctx);
  const systems: RunningSystem[] = [];
  const results = new Map<SystemId, SearchResult[]>();
  try {
    for (const id of systemsOf(ctx.modes)) {
      const system = await startSystem(ctx, "capacity", id);
      systems.push(system);
      await system.load({ rate: s.warmupRate, durationMs: s.warmupMs, drainTimeoutMs: s.drainTimeoutMs, progressLabel: `capacity ${id} warm-up` });
    }
    for (let round = 1; round <= s.capacityRounds; round++) {
      for (const system of systems) {
        const previous = results.get(system.id)?.at(-1)?.capacity;
        const result = await searchCapacity(system, search, round, previous || undefined);
        results.set(system.id, [...(results.get(system.id) ?? []), result]);
      }
    }
    const runOf = (system: RunningSystem, mode: ModeRun["mode"]): ModeRun => {
      const list = results.get(system.id) ?? [];
      const rounds = list.map((r) => r.capacity);
      return {
        mode,
        steps: list.flatMap((r) => r.steps),
        capacity: { ...medianAndSpread(rounds), rounds, atMaxRate: list.some((r) => r.atMaxRate) },
        rssMiBPeak: system.peakRssMiB(),
        figures: {},
      };
    };
    const find = (id: SystemId) => systems.find((x) => x.id === id)!;
    return {
      id: "capacity",
      title: "Capacity: the highest sustained rate",
      runs: ctx.modes.map((m) => runOf(find(m), m)),
      raw: ctx.modes.map((m) => runOf(find(RAW_OF[m]), m)),
    };
  } finally {
    for (const system of systems) await system.stop();
  }
}
