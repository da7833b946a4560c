import type { AuditLine } from "../../../services/audit/audit.js";
import { medianAndSpread } from "../capacity-search.js";
import { summary, type LabContext, type LoadSummary, type ModeRun, type ScenarioResult } from "../scenario-types.js";
import { cpuPerOrder, startSystem, systemsOf, type CpuPerOrder, type SystemId } from "../systems.js";

interface Round {
  load: LoadSummary;
  cpu: CpuPerOrder;
  audit?: AuditLine;
  addresses?: Record<string, Record<string, string>>;
}

/**
 * Each mode and its bare chain at the same moderate rate, side by side: after a
 * warm-up that is not measured, the latency and the CPU each process spent per
 * order. With several rounds, every system starts afresh each round and the
 * round with the median CPU is reported, with the spread of the others.
 */
export async function baseline(ctx: LabContext): Promise<ScenarioResult> {
  const s = ctx.settings;
  const rounds = new Map<SystemId, Round[]>();
  for (let round = 1; round <= s.baselineRounds; round++) {
    for (const id of systemsOf(ctx.modes)) {
      const system = await startSystem(ctx, s.baselineRounds > 1 ? `baseline-${round}` : "baseline", id);
      try {
        const warm = await system.load({
          rate: s.warmupRate,
          durationMs: s.warmupMs,
          drainTimeoutMs: s.drainTimeoutMs,
          progressLabel: `baseline ${id} warm-up`,
        });
        const before = system.cpu();
        const r = await system.load({ rate: s.baselineRate, durationMs: s.baselineMs, drainTimeoutMs: s.drainTimeoutMs, progressLabel: `baseline ${id}` });
        const cpu = cpuPerOrder(before, system.cpu(), r.completed);
        const list = rounds.get(id) ?? [];
        list.push({
          load: summary(r),
          cpu,
          audit: system.session?.audit([...warm.orders, ...r.orders]),
          addresses: system.session?.stack.addressesUsed(),
        });
        rounds.set(id, list);
      } finally {
        await system.stop();
      }
    }
  }
  const runOf = (id: SystemId, mode: ModeRun["mode"]): ModeRun => {
    const list = rounds.get(id) ?? [];
    const totals = list.map((r) => r.cpu.total);
    const { median, min, max } = medianAndSpread(totals);
    const chosen = list.reduce((best, r) => (Math.abs(r.cpu.total - median) < Math.abs(best.cpu.total - median) ? r : best), list[0]!);
    return {
      mode,
      load: chosen.load,
      audit: chosen.audit,
      addresses: chosen.addresses,
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
