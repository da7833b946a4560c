import { startOtlpReceiver, type OtlpReceiver } from "../../testbed/otlp-receiver.js";
import { waterfallPair } from "../report/charts.js";
import { ms, show, shown } from "../report/format.js";
import { MODE_NAME, runOf, type Mode, type ModeRun, type ScenarioResult, type Waterfall } from "../results.js";
import type { LabContext } from "../context.js";
import type { MeasuredRound } from "../measure/rounds.js";
import { buildWaterfall, medianOrder } from "../measure/waterfall.js";
import { costFindings, priceFeature, pricedRun, type Priced, type PricedFeature } from "./priced.js";
import { NOTHING, resultOf, type Scenario } from "./scenario.js";

const feature = (receiver?: OtlpReceiver): PricedFeature => ({
  label: "traces",
  variants: () => ({ off: {}, on: { receiver } }),
  cost: (mode: Mode) => ({ id: `cost.tracing.${mode}`, label: `What tracing every order costs ${MODE_NAME[mode]} (services and broker)` }),
});

/** Spans per order, and the waterfall of the median order, of one traced round. */
function traced(p: Priced, round: MeasuredRound, receiver: OtlpReceiver, rate: number): Pick<ModeRun, "waterfalls"> & { spansPerOrder: number } {
  const traces = p.onSystem.session?.traces;
  if (!traces) return { spansPerOrder: 0 };
  // Spans of the measured orders' traces only: a warm-up order shed under the cold start has fewer.
  const ids = new Set(round.orders.map((o) => traces.traceIdOf(o.orderId)));
  const spanCount = receiver.spans.filter((x) => ids.has(x.traceId)).length;
  const completed = round.orders.filter((o) => o.completedAt !== undefined).map((o) => ({ orderId: o.orderId, latencyMs: o.completedAt! - o.intendedAt }));
  const typical = medianOrder(completed);
  const traceId = typical && traces.traceIdOf(typical.orderId);
  const w =
    typical && traceId
      ? buildWaterfall(receiver.spans, traceId, typical.orderId, `the median order at ${rate} orders/s (${Math.round(typical.latencyMs)} ms to complete)`)
      : undefined;
  return { spansPerOrder: round.orders.length > 0 ? Math.round((spanCount / round.orders.length) * 10) / 10 : 0, waterfalls: w ? [w] : [] };
}

function runFrom(p: Priced, receiver?: OtlpReceiver, rate = 0): ModeRun {
  const run = pricedRun(p, ({ off, on }) => ({
    cpuMsPerOrderUntraced: off.cpu,
    cpuMsPerOrderTraced: on.cpu,
    cpuRoundsUntraced: off.cpuRounds,
    cpuRoundsTraced: on.cpuRounds,
  }));
  if (!receiver) return run;
  const chosen = p.on.find((r) => r.load === run.load) ?? p.on[0]!;
  const { spansPerOrder, waterfalls } = traced(p, chosen, receiver, rate);
  return { ...run, waterfalls, figures: { ...run.figures, spansPerOrder } };
}

/**
 * What tracing costs and shows. Each mode runs untraced and traced (services and
 * client exporting every span to the lab's receiver) side by side in each round;
 * the traced run's median order is drawn as a waterfall from the spans received.
 */
async function run(ctx: LabContext): Promise<ScenarioResult> {
  const receiver = await startOtlpReceiver();
  try {
    const priced = await priceFeature(ctx, feature(receiver), (p) =>
      resultOf(
        traces,
        p.map((x) => runFrom(x)),
      ),
    );
    return resultOf(
      traces,
      priced.map((p) => runFrom(p, receiver, ctx.settings.pricedRate)),
    );
  } finally {
    await receiver.close();
  }
}

/** What the report says of each style's median traced order. */
const MEDIAN_ORDER: Record<Mode, (w: Waterfall, waitedMs: number) => string> = {
  grpc: (w) =>
    `The median traced gRPC order is ${w.rows.length} spans over ${ms(w.totalMs)}, and the client's call spans ${ms(w.clientWaitMs)} of it: the whole chain ran while it waited.`,
  nats: (w, waited) =>
    `The median traced NATS order is ${w.rows.length} spans over ${ms(w.totalMs)}; the client's publish took ${ms(w.clientWaitMs)}, and its messages then waited ${ms(waited)} in all in the streams before a consumer took them.`,
};

export const traces: Scenario = {
  ...NOTHING,
  id: "traces",
  takesRoundBudget: true,
  title: "Traces: one order end to end, and what tracing costs",
  claim:
    "Synchronous: the client waits while the whole chain runs inside its call. Asynchronous: the client hands the order over at once; the work happens later, step by step, as each message is taken from its stream.",
  figureLabels: {
    cpuMsPerOrderUntraced: "CPU ms per order, tracing off (services and broker; median round)",
    cpuMsPerOrderTraced: "CPU ms per order, every order traced (median round)",
    cpuRoundsUntraced: "tracing off, each round",
    cpuRoundsTraced: "traced, each round",
    spansPerOrder: "spans per order",
  },
  run,
  explain(s, report) {
    const parts: string[] = [];
    for (const m of ["grpc", "nats"] as const) {
      const run = runOf(s, m);
      const w = run?.waterfalls?.[0];
      if (!run) continue;
      if (w) {
        const waited = w.rows.reduce((sum, r) => sum + (r.waitedMs ?? 0), 0);
        parts.push(MEDIAN_ORDER[m](w, waited));
      }
      const cost = report.findings.find((f) => f.id === `cost.tracing.${m}`);
      if (cost)
        parts.push(`Tracing every order (${show(run.figures.spansPerOrder)} spans per order) in ${MODE_NAME[m]}, over ${cost.rounds} rounds: ${cost.text}.`);
    }
    return parts;
  },
  verdict(r, _s, report) {
    if (!r) return "not run";
    const w = r.waterfalls?.[0];
    const shape = w ? `median order ${w.rows.length} spans over ${ms(w.totalMs)}, client waited ${ms(w.clientWaitMs)}; ` : "";
    const cost = report.findings.find((f) => f.id === `cost.tracing.${r.mode}`);
    return `${shape}tracing every order: ${cost?.text ?? "not measured"}`;
  },
  keyFigure: (r) =>
    `traced ${shown(r.figures.cpuMsPerOrderTraced)} vs ${shown(r.figures.cpuMsPerOrderUntraced)} ms/order, ${show(r.figures.spansPerOrder)} spans/order`,
  charts: (s) => waterfallPair(s),
  findings: (s) => costFindings(s, feature()),
};
