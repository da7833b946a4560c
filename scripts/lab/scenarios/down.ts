import type { Mode } from "../../../services/common/config.js";
import { SPAN_KIND, type ReceivedSpan } from "../../lib/otlp-decode.js";
import { startOtlpReceiver } from "../../lib/otlp-receiver.js";
import type { OrderOutcome } from "../load-generator.js";
import type { OrderTraces } from "../order-traces.js";
import { sampleQueues } from "../sampler.js";
import { summary, type LabContext, type ModeRun, type ScenarioResult } from "../scenario-types.js";
import { SUBJECTS } from "../../../services/nats/topology.js";
import { buildWaterfall, type Waterfall } from "../waterfall.js";
import { Outage } from "./outage.js";
import { withSession } from "./session.js";

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
  if (mode === "grpc") {
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

export async function serverDown(ctx: LabContext): Promise<ScenarioResult> {
  const s = ctx.settings;
  const runs: ModeRun[] = [];
  // Traced, so that the report can draw an order that lived through the outage; this scenario reports no CPU.
  const receiver = await startOtlpReceiver();
  try {
    for (const mode of ctx.modes) {
      let pick: (() => Waterfall | undefined) | undefined;
      const run = await withSession(ctx, "down", mode, { receiver }, async (x) => {
        const t0 = performance.now();
        const sampler = mode === "nats" ? sampleQueues(await x.stack.natsConnection(), t0) : undefined;
        const outage = new Outage(x.stack, "billing", "SIGTERM", s.outageStartMs, s.outageMs, t0);
        const r = await x.load({
          rate: s.outageRate,
          durationMs: s.outageRunMs,
          startAt: t0,
          drainTimeoutMs: s.drainTimeoutMs,
          onElapsed: (t) => outage.tick(t),
        });
        await outage.finished();
        const { downAt, upAt } = outage;
        const queue = await sampler?.stop();
        const inOutage = r.orders.filter((o) => o.intendedAt >= downAt && o.intendedAt < upAt);
        // The backlog of the outage is gone when the last order sent before the restart has completed.
        const backlogCleared = Math.max(0, ...r.orders.filter((o) => o.intendedAt < upAt).map((o) => o.completedAt ?? 0));
        const failed = r.orders.filter((o) => o.error);
        const unknown = failed.filter((o) => o.error === "DEADLINE_EXCEEDED" || o.error === "CANCELLED").length;
        const resentCompleted = mode === "grpc" ? await x.resend(r.orders) : 0;
        // Drawn once the session has closed: the services flush their last spans on shutdown.
        pick = () => outageOrder(mode, receiver.spans, r.orders, x.traces!, downAt, upAt);
        return {
          mode,
          load: summary(r),
          audit: x.audit(r.orders),
          queue,
          marks: outage.marks("billing stopped", "billing restarted"),
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
  return { id: "down", title: "Server down: billing stopped mid-run, then restarted", runs };
}
