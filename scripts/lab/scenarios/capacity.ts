import { labOrder } from "../lab-order.js";
import type { LabContext, ModeRun, ScenarioResult } from "../scenario-types.js";
import { withSession } from "./session.js";
import { stepRates } from "./step-rates.js";

export async function capacity(ctx: LabContext): Promise<ScenarioResult> {
  const runs: ModeRun[] = [];
  for (const mode of ctx.modes) {
    runs.push(
      await withSession(ctx, "capacity", mode, {}, async (x) => {
        let n = 0;
        const { steps, capacity: highest, atTopOfLadder } = await stepRates(x.target, ctx.settings, () => labOrder(x.runId, n++), `capacity ${mode}`);
        return { mode, steps, figures: { highestSustainedRate: highest, atTopOfLadder, p99BoundMs: ctx.settings.p99BoundMs } };
      }),
    );
  }
  return { id: "capacity", title: "Capacity: the highest sustained rate", runs };
}
