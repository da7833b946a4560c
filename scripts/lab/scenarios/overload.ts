import { sampleQueues } from "../sampler.js";
import { summary, type LabContext, type ModeRun, type ScenarioResult } from "../scenario-types.js";
import { withSession } from "./session.js";

export async function overload(ctx: LabContext): Promise<ScenarioResult> {
  const s = ctx.settings;
  const runs: ModeRun[] = [];
  for (const mode of ctx.modes) {
    const env: Record<string, string> = mode === "grpc" ? { GRPC_MAX_IN_FLIGHT: String(s.overloadLimit) } : { NATS_MAX_ACK_PENDING: String(s.overloadLimit) };
    runs.push(
      await withSession(ctx, "overload", mode, { env, deadlineMs: s.overloadDeadlineMs }, async (x) => {
        const t0 = performance.now();
        const sampler = mode === "nats" ? sampleQueues(await x.stack.natsConnection(), t0) : undefined;
        const r = await x.load({ rate: s.overloadRate, durationMs: s.overloadMs, startAt: t0, drainTimeoutMs: s.drainTimeoutMs * 2 });
        const queue = await sampler?.stop();
        const lastCompletion = Math.max(0, ...r.orders.map((o) => o.completedAt ?? 0));
        const lastSend = Math.max(0, ...r.orders.map((o) => o.intendedAt));
        return {
          mode,
          load: summary(r),
          audit: x.audit(r.orders),
          queue,
          marks: [{ t: lastSend, label: "last send" }],
          figures: {
            limit: s.overloadLimit,
            resourceExhausted: r.errors.RESOURCE_EXHAUSTED ?? 0,
            deadlineExceeded: r.errors.DEADLINE_EXCEEDED ?? 0,
            ...(queue
              ? { maxBacklog: Math.max(0, ...queue.map((q) => q.backlog)), maxConsumerAckPending: Math.max(0, ...queue.map((q) => q.maxConsumerAckPending)) }
              : {}),
            drainAfterLastSendMs: lastCompletion > lastSend ? Math.round(lastCompletion - lastSend) : 0,
          },
        };
      }),
    );
  }
  return { id: "overload", title: "Overload: offered rate well above capacity", runs };
}
