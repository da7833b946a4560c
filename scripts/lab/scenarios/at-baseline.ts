import type { Mode } from "../../../services/common/config.js";
import type { OtlpReceiver } from "../../lib/otlp-receiver.js";
import type { OrderOutcome } from "../load-generator.js";
import type { OrderTraces } from "../order-traces.js";
import { summary, type LabContext, type LoadSummary } from "../scenario-types.js";
import { cpuPerOrder, startSystem, type CpuPerOrder } from "../systems.js";

export interface AtBaseline {
  cpu: CpuPerOrder;
  load: LoadSummary;
  orders: OrderOutcome[];
  /** With a receiver: the trace each order was sent in. */
  traces?: OrderTraces;
}

/** Of several rounds' runs, the one whose CPU per order is closest to their median: the one a report shows. */
export function closestToMedian<T extends { cpu: CpuPerOrder }>(runs: readonly T[], median: number): T {
  return runs.reduce((best, r) => (Math.abs(cpuTotal(r.cpu) - median) < Math.abs(cpuTotal(best.cpu) - median) ? r : best), runs[0]!);
}

/** CPU per order of the services and the broker together. */
export const cpuTotal = (c: CpuPerOrder) => Math.round((c.total + (c.broker ?? 0)) * 100) / 100;

/**
 * One mode started afresh, warmed up (unmeasured), then run at the baseline
 * rate: its CPU per order and latency. The scenarios that price a feature
 * (tracing, the secure profile) run it with and without, side by side.
 */
export async function runAtBaseline(
  ctx: LabContext,
  mode: Mode,
  label: string,
  options: { receiver?: OtlpReceiver; secure?: boolean; cluster?: number },
): Promise<AtBaseline> {
  const s = ctx.settings;
  const system = await startSystem(ctx, label, mode, options);
  try {
    await system.load({ rate: s.warmupRate, durationMs: s.warmupMs, drainTimeoutMs: s.drainTimeoutMs, progressLabel: `${label} ${mode} warm-up` });
    const before = system.cpu();
    const r = await system.load({ rate: s.baselineRate, durationMs: s.baselineMs, drainTimeoutMs: s.drainTimeoutMs, progressLabel: `${label} ${mode}` });
    return { cpu: cpuPerOrder(before, system.cpu(), r.completed), load: summary(r), orders: r.orders, traces: system.session?.traces };
  } finally {
    // Ordered shutdown; with tracing, it flushes the services' last spans to the receiver.
    await system.stop();
  }
}
