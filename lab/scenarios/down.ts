import type { Profile } from "../settings.js";
import type { Mode } from "../../services/common/config.js";
import { SPAN_KIND, type ReceivedSpan } from "../../testbed/otlp-decode.js";
import { startOtlpReceiver } from "../../testbed/otlp-receiver.js";
import type { OrderOutcome } from "../../testbed/load/load-generator.js";
import type { OrderTraces } from "../../testbed/load/order-traces.js";
import type { ModeRun, ScenarioResult } from "../results.js";
import type { LabContext } from "../context.js";
import { withoutOrders } from "../../testbed/load/load-generator.js";
import { SUBJECTS } from "../../services/nats/topology.js";
import { buildWaterfall } from "../measure/waterfall.js";
import type { Waterfall } from "../results.js";
import { outage } from "../../testbed/stack/outage.js";
import { Timeline } from "../../testbed/timeline.js";
import { withSession } from "../systems/session.js";
import { queueCharts, timelineChart, waterfallPair } from "../report/charts.js";
import { figureOf, keptText, ms, show, shown } from "../report/format.js";
import { runOf } from "../results.js";
import { NOTHING, resultOf, type Scenario } from "./scenario.js";
import { CAPABILITIES } from "../../testbed/stack/capabilities.js";

/** This scenario's knobs per profile (results.json keeps them under the scenario's settings). */
export const OUTAGE_SETTINGS = {
  quick: { outageRate: 100, outageRunMs: 4_000, outageStartMs: 1_000, outageMs: 1_500 },
  short: { outageRate: 100, outageRunMs: 8_000, outageStartMs: 2_000, outageMs: 3_000 },
  full: { outageRate: 100, outageRunMs: 30_000, outageStartMs: 8_000, outageMs: 10_000 },
} as const satisfies Record<Profile, object>;

/**
 * The order to draw from the outage. gRPC: one the client had to send again,
 * its attempts in one trace (else the slowest sent during the outage). NATS:
 * the one whose invoice request waited longest in the stream for billing.
 */
function outageOrder(
  mode: Mode,
  spans: readonly ReceivedSpan[],
  orders: OrderOutcome[],
  traces: OrderTraces,
  downAt: number,
  upAt: number,
): Waterfall | undefined {
  const byTrace = new Map<string, ReceivedSpan[]>();
  for (const s of spans) byTrace.set(s.traceId, [...(byTrace.get(s.traceId) ?? []), s]);
  const spansOf = (o: OrderOutcome) => byTrace.get(traces.traceIdOf(o.orderId) ?? "") ?? [];
  const draw = (o: OrderOutcome | undefined, caption: string) => (o ? buildWaterfall(spans, traces.traceIdOf(o.orderId) ?? "", o.orderId, caption) : undefined);
  const during = orders.filter((o) => o.intendedAt >= downAt && o.intendedAt < upAt);
  // With no broker to hold the work, the order to draw is one the client had to send again.
  if (!CAPABILITIES[mode].hasBroker) {
    const attempts = (o: OrderOutcome) => spansOf(o).filter((s) => s.service === "client" && s.kind === SPAN_KIND.client).length;
    const resent = orders.find((o) => o.error && attempts(o) > 1 && spansOf(o).some((s) => s.service === "client" && s.status.code !== 2));
    if (resent) return draw(resent, `an order that failed during the outage (${resent.error}) and completed when the client sent it again`);
    const slowest = [...during].sort((a, b) => (b.completedAt ?? 0) - b.intendedAt - ((a.completedAt ?? 0) - a.intendedAt))[0];
    return draw(slowest, "the slowest order sent during the outage");
  }
  const waitedAtBilling = (o: OrderOutcome) =>
    Math.max(
      0,
      ...spansOf(o)
        .filter((s) => s.name === `process ${SUBJECTS.invoiceRequested}`)
        .map((s) => Number(s.attributes["messaging.nats.queue_wait_ms"] ?? 0)),
    );
  const longest = [...during].sort((a, b) => waitedAtBilling(b) - waitedAtBilling(a))[0];
  return longest && draw(longest, `the order whose invoice request waited longest for billing (${Math.round(waitedAtBilling(longest))} ms in the stream)`);
}

async function run(ctx: LabContext): Promise<ScenarioResult> {
  const s = { ...ctx.settings, ...OUTAGE_SETTINGS[ctx.settings.profile] };
  const runs: ModeRun[] = [];
  // Traced, so that the report can draw an order that lived through the outage; this scenario reports no CPU.
  const receiver = await startOtlpReceiver();
  try {
    for (const mode of ctx.modes) {
      let pick: (() => Waterfall | undefined) | undefined;
      const run = await withSession(ctx, "down", mode, { receiver }, async (x) => {
        const timeline = new Timeline().window(
          outage(x.stack.control, "billing", "SIGTERM", { atMs: s.outageStartMs, forMs: s.outageMs }, { down: "billing stopped", up: "billing restarted" }),
        );
        const { result: r, queue, marks } = await x.loadThrough(timeline, { rate: s.outageRate, durationMs: s.outageRunMs, drainTimeoutMs: s.drainTimeoutMs });
        const downAt = timeline.appliedAt("billing stopped") ?? 0;
        const upAt = timeline.undoneAt("billing stopped") ?? 0;
        const inOutage = r.orders.filter((o) => o.intendedAt >= downAt && o.intendedAt < upAt);
        // The backlog of the outage is gone when the last order sent before the restart has completed.
        const backlogCleared = Math.max(0, ...r.orders.filter((o) => o.intendedAt < upAt).map((o) => o.completedAt ?? 0));
        const failed = r.orders.filter((o) => o.error);
        const unknown = failed.filter((o) => o.error === "DEADLINE_EXCEEDED" || o.error === "CANCELLED").length;
        // With no broker to keep it, what failed is the client's to send again.
        const resentCompleted = CAPABILITIES[mode].hasBroker ? 0 : await x.resend(r.orders);
        // Drawn once the session has closed: the services flush their last spans on shutdown.
        pick = () => outageOrder(mode, receiver.spans, r.orders, x.traces!, downAt, upAt);
        return {
          mode,
          load: withoutOrders(r),
          audit: x.audit(r.orders),
          queue,
          marks,
          figures: {
            outageMs: Math.round(upAt - downAt),
            sentDuringOutage: inOutage.length,
            acceptedDuringOutage: inOutage.filter((o) => o.acceptedAt !== undefined).length,
            failedToClient: failed.length,
            failedShare: r.sent > 0 ? Math.round((failed.length / r.sent) * 1000) / 10 : 0,
            outcomeUnknownToClient: unknown,
            resentCompleted,
            drainAfterRestartMs: upAt > 0 && backlogCleared > upAt ? Math.round(backlogCleared - upAt) : 0,
          },
        };
      });
      const w = pick?.();
      runs.push(w ? { ...run, waterfalls: [w] } : run);
      receiver.clear();
    }
  } finally {
    await receiver.close();
  }
  return resultOf(serverDown, runs);
}

/** The report's verdict on each style's run, from its figures. */
const VERDICT: Record<Mode, (f: (k: string) => string, r: ModeRun) => string> = {
  grpc: (f) => `${f("failedToClient")} orders failed to the client; ${f("resentCompleted")} completed when re-sent`,
  nats: (f, r) =>
    `accepted ${f("acceptedDuringOutage")} of ${f("sentDuringOutage")} sent while billing was down; drained ${ms(Number(r.figures.drainAfterRestartMs))} after it came back`,
};

export const serverDown: Scenario = {
  ...NOTHING,
  knobs: OUTAGE_SETTINGS,
  id: "down",
  title: "Server down: billing stopped mid-run, then restarted",
  claim: "Synchronous: a failed request must be sent again. Asynchronous: an unprocessed request goes back to the queue.",
  figureLabels: {
    outageMs: "billing down for (ms)",
    sentDuringOutage: "orders sent while billing was down",
    acceptedDuringOutage: "of those, accepted",
    failedToClient: "failed to the client",
    failedShare: "failed to the client (% of sent)",
    outcomeUnknownToClient: "failed with an outcome the client could not know",
    resentCompleted: "re-sent with the same id and completed",
    drainAfterRestartMs: "backlog drained after the restart (ms)",
  },
  run,
  explain(s) {
    const f = (mode: Mode, k: string) => figureOf(runOf(s, mode))(k);
    const x = runOf(s, "nats");
    const out: string[] = [];
    if (runOf(s, "grpc"))
      out.push(
        `While billing was down for ${f("grpc", "outageMs")} ms, ${f("grpc", "failedToClient")} gRPC orders (${f("grpc", "failedShare")}%) failed to the client, ${f("grpc", "outcomeUnknownToClient")} of them with an outcome the client could not know; re-sending the failed ones with the same id completed ${f("grpc", "resentCompleted")}.`,
      );
    if (x)
      out.push(
        `NATS accepted ${f("nats", "acceptedDuringOutage")} of the ${f("nats", "sentDuringOutage")} orders sent during the outage; ${shown(x.audit?.lost)} were lost, and the backlog drained ${ms(Number(x.figures.drainAfterRestartMs))} after billing came back.`,
      );
    return out;
  },
  verdict(r) {
    if (!r) return "not run";
    return `${VERDICT[r.mode](figureOf(r), r)}; ${keptText(r.audit)}`;
  },
  keyFigure: (r) => `failed ${show(r.figures.failedToClient)}, resent ok ${show(r.figures.resentCompleted)}, drain ${show(r.figures.drainAfterRestartMs)} ms`,
  charts: (s) => [
    timelineChart(
      "Billing stopped and restarted: completions and errors",
      s.runs.filter((r) => r.load),
    ),
    ...queueCharts("NATS: backlog while billing was down", runOf(s, "nats")),
    ...waterfallPair(s),
  ],
};
