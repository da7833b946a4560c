import type { AuditLine } from "../../../services/audit/audit.js";
import { medianAndSpread } from "../capacity-search.js";
import { summary, type LabContext, type LoadSummary, type ModeRun, type ScenarioResult } from "../scenario-types.js";
import type { OrderOutcome } from "../load-generator.js";
import { cpuPerOrder, startSystem, systemsOf, type CpuPerOrder, type RunningSystem, type SystemId } from "../systems.js";

interface Round {
  load: LoadSummary;
  cpu: CpuPerOrder;
}

/**
 * Each mode and its bare chain at the same moderate rate, side by side: every
 * system is started and warmed up first (JIT compilation and first-use costs are
 * not charged to orders); then each round measures every system in turn, a mode
 * next to its bare chain, so that a slow moment of the machine falls on all of
 * them. The round with the median CPU is reported, with the spread of the rounds;
 * the audit covers every order a mode took.
 */
export async function baseline(ctx: LabContext): Promise<ScenarioResult> {
  const s = ctx.settings;
  const systems: RunningSystem[] = [];
  const rounds = new Map<SystemId, Round[]>();
  const taken = new Map<SystemId, OrderOutcome[]>();
  const audits = new Map<SystemId, { audit?: AuditLine; addresses?: Record<string, Record<string, string>> }>();
  try {
    for (const id of systemsOf(ctx.modes)) {
      const system = await startSystem(ctx, "baseline", id);
      systems.push(system);
      const warm = await system.load({ rate: s.warmupRate, durationMs: s.warmupMs, drainTimeoutMs: s.drainTimeoutMs, progressLabel: `baseline ${id} warm-up` });
      taken.set(id, [...warm.orders]);
    }
    for (let round = 1; round <= s.baselineRounds; round++) {
      for (const system of systems) {
        const before = system.cpu();
        const label = s.baselineRounds > 1 ? `baseline ${system.id} round ${round}` : `baseline ${system.id}`;
        const r = await system.load({ rate: s.baselineRate, durationMs: s.baselineMs, drainTimeoutMs: s.drainTimeoutMs, progressLabel: label });
        rounds.set(system.id, [...(rounds.get(system.id) ?? []), { load: summary(r), cpu: cpuPerOrder(before, system.cpu(), r.completed) }]);
        taken.get(system.id)!.push(...r.orders);
      }
    }
    for (const system of systems) {
      audits.set(system.id, { audit: system.session?.audit(taken.get(system.id)!), addresses: system.session?.stack.addressesUsed() });
    }
  } finally {
    await Promise.all(systems.map((system) => system.stop()));
  }
  const runOf = (id: SystemId, mode: ModeRun["mode"]): ModeRun => {
    const list = rounds.get(id) ?? [];
    const totals = list.map((r) => r.cpu.total);
    const { median, min, max } = medianAndSpread(totals);
    const chosen = list.reduce((best, r) => (Math.abs(r.cpu.total - median) < Math.abs(best.cpu.total - median) ? r : best), list[0]!);
    return {
      mode,
      load: chosen.load,
      ...audits.get(id),
      cpu: chosen.cpu,
      figures: list.length > 1 ? { cpuRounds: totals.join(" / "), cpuSpread: `${min}–${max}` } : {},
    };
  };
  return {
    id: "baseline",
    title: "Baseline at a moderate rate",
    runs: ctx.modes.map((m) => runOf(m, m)),
    raw: ctx.modes.map((m) => runOf(m === "grpc" ? "rawGrpc" : "rawNats", m)),
  };
}
