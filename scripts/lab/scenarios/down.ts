import { sampleQueues } from "../sampler.js";
import { summary, type LabContext, type ModeRun, type ScenarioResult } from "../scenario-types.js";
import { Outage } from "./outage.js";
import { withSession } from "./session.js";

export async function serverDown(ctx: LabContext): Promise<ScenarioResult> {
  const s = ctx.settings;
  const runs: ModeRun[] = [];
  for (const mode of ctx.modes) {
    runs.push(
      await withSession(ctx, "down", mode, {}, async (x) => {
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
      }),
    );
  }
  return { id: "down", title: "Server down: billing stopped mid-run, then restarted", runs };
}
