import { medianAndSpread } from "../capacity-search.js";
import { startOtlpReceiver, type OtlpReceiver } from "../../lib/otlp-receiver.js";
import type { LabContext, ModeRun, ScenarioResult } from "../scenario-types.js";
import { closestToMedian, cpuTotal as total, runAtBaseline, type AtBaseline } from "./at-baseline.js";
import { buildWaterfall, medianOrder, type Waterfall } from "../waterfall.js";
import type { Mode } from "../../../services/common/config.js";

interface Measured extends AtBaseline {
  spansPerOrder?: number;
  waterfall?: Waterfall;
}

/**
 * One run at the baseline rate, traced (services and client exporting every
 * span to the lab's receiver) or not; a traced run also yields the waterfall
 * of its median order.
 */
async function measure(ctx: LabContext, mode: Mode, round: number, receiver: OtlpReceiver | undefined): Promise<Measured> {
  const s = ctx.settings;
  const measured: Measured = await runAtBaseline(ctx, mode, `traces-${receiver ? "traced" : "untraced"}-${round}`, { receiver });
  const { orders, traces } = measured;
  if (receiver && traces) {
    // Spans of the measured orders' traces only: a warm-up order shed under the cold start has fewer.
    const measuredTraces = new Set(orders.map((o) => traces.traceIdOf(o.orderId)));
    const spanCount = receiver.spans.filter((x) => measuredTraces.has(x.traceId)).length;
    measured.spansPerOrder = orders.length > 0 ? Math.round((spanCount / orders.length) * 10) / 10 : 0;
    const completed = orders.filter((o) => o.completedAt !== undefined).map((o) => ({ orderId: o.orderId, latencyMs: o.completedAt! - o.intendedAt }));
    const typical = medianOrder(completed);
    const traceId = typical && traces.traceIdOf(typical.orderId);
    if (typical && traceId)
      measured.waterfall = buildWaterfall(
        receiver.spans,
        traceId,
        typical.orderId,
        `the median order at ${s.baselineRate} orders/s (${Math.round(typical.latencyMs)} ms to complete)`,
      );
    receiver.clear();
  }
  return measured;
}

/**
 * What tracing costs and shows. Each mode runs at the baseline rate without
 * and with tracing, side by side in each round (every run starts afresh), and
 * the CPU per order of both is compared; the traced run's median order is
 * drawn as a waterfall from the spans the lab received.
 */
export async function tracesScenario(ctx: LabContext): Promise<ScenarioResult> {
  const receiver = await startOtlpReceiver();
  try {
    const runs: ModeRun[] = [];
    const perMode = new Map<Mode, { off: Measured[]; on: Measured[] }>();
    for (let round = 1; round <= ctx.settings.comparisonRounds; round++)
      for (const mode of ctx.modes) {
        const m = perMode.get(mode) ?? { off: [], on: [] };
        m.off.push(await measure(ctx, mode, round, undefined));
        m.on.push(await measure(ctx, mode, round, receiver));
        perMode.set(mode, m);
      }
    for (const mode of ctx.modes) {
      const { off, on } = perMode.get(mode)!;
      const offCpu = medianAndSpread(off.map((m) => total(m.cpu)));
      const onCpu = medianAndSpread(on.map((m) => total(m.cpu)));
      const chosen = closestToMedian(on, onCpu.median);
      const cost = Math.round((onCpu.median - offCpu.median) * 100) / 100;
      runs.push({
        mode,
        load: chosen.load,
        cpu: chosen.cpu,
        waterfalls: chosen.waterfall ? [chosen.waterfall] : [],
        figures: {
          cpuMsPerOrderUntraced: offCpu.median,
          cpuMsPerOrderTraced: onCpu.median,
          tracingCostMsPerOrder: cost,
          tracingCostShare: offCpu.median > 0 ? `${Math.round((cost / offCpu.median) * 100)}%` : "–",
          ...(on.length > 1 ? { cpuRoundsUntraced: off.map((m) => total(m.cpu)).join(" / "), cpuRoundsTraced: on.map((m) => total(m.cpu)).join(" / ") } : {}),
          spansPerOrder: chosen.spansPerOrder ?? 0,
        },
      });
    }
    return { id: "traces", title: "Traces: one order end to end, and what tracing costs", runs };
  } finally {
    await receiver.close();
  }
}
