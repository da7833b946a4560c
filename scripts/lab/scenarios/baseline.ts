import { processCpuMs } from "../proc-cpu.js";
import type { LabStack } from "../lab-stack.js";
import { summary, type LabContext, type ModeRun, type ScenarioResult } from "../scenario-types.js";
import { withSession } from "./session.js";

function cpuNow(stack: LabStack): { services: number; broker: number } {
  return { services: stack.servicesCpuMs(), broker: processCpuMs(stack.nats?.pid()) ?? 0 };
}

export async function baseline(ctx: LabContext): Promise<ScenarioResult> {
  const s = ctx.settings;
  const runs: ModeRun[] = [];
  for (const mode of ctx.modes) {
    runs.push(
      await withSession(ctx, "baseline", mode, {}, async (x) => {
        const before = cpuNow(x.stack);
        const r = await x.load({ rate: s.baselineRate, durationMs: s.baselineMs, drainTimeoutMs: s.drainTimeoutMs });
        const after = cpuNow(x.stack);
        const per = (ms: number) => (r.completed > 0 ? Math.round((ms / r.completed) * 100) / 100 : 0);
        return {
          mode,
          load: summary(r),
          audit: x.audit(r.orders),
          addresses: x.stack.addressesUsed(),
          figures: {
            servicesCpuMsPerOrder: per(after.services - before.services),
            ...(x.stack.nats ? { brokerCpuMsPerOrder: per(after.broker - before.broker) } : {}),
          },
        };
      }),
    );
  }
  return { id: "baseline", title: "Baseline at a moderate rate", runs };
}
