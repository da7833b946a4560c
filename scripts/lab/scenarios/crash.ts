import { summary, type LabContext, type ModeRun, type ScenarioResult } from "../scenario-types.js";
import { Outage } from "./outage.js";
import { withSession } from "./session.js";

export async function crash(ctx: LabContext): Promise<ScenarioResult> {
  const s = ctx.settings;
  const runs: ModeRun[] = [];
  for (const mode of ctx.modes) {
    runs.push(
      await withSession(ctx, "crash", mode, {}, async (x) => {
        const t0 = performance.now();
        const crash = new Outage(x.stack, "order", "SIGKILL", s.crashAtMs, s.crashDownMs, t0);
        const r = await x.load({ rate: s.crashRate, durationMs: s.crashRunMs, startAt: t0, drainTimeoutMs: s.drainTimeoutMs, onElapsed: (t) => crash.tick(t) });
        await crash.finished();
        const resentCompleted = mode === "grpc" ? await x.resend(r.orders) : 0;
        const a = x.audit(r.orders);
        return {
          mode,
          load: summary(r),
          audit: a,
          marks: crash.marks("order service SIGKILL", "restarted"),
          figures: {
            failedToClient: r.orders.filter((o) => o.error).length,
            resentCompleted,
            completed: a.completed,
            lost: a.lost,
            duplicated: a.duplicateInvoices + a.duplicateEmails,
          },
        };
      }),
    );
  }
  return { id: "crash", title: "Crash: SIGKILL of the order service mid-processing", runs };
}
