import { labOrder } from "../lab-order.js";
import { runLoad } from "../load-generator.js";
import { startRawGrpcChain, startRawNatsChain } from "../raw-chains.js";
import { summary, type LabContext, type ModeRun } from "../scenario-types.js";
import { stepRates } from "./step-rates.js";

export async function rawBaselines(ctx: LabContext): Promise<ModeRun[]> {
  const s = ctx.settings;
  const out: ModeRun[] = [];
  for (const mode of ctx.modes) {
    const chain = mode === "grpc" ? await startRawGrpcChain() : await startRawNatsChain();
    try {
      const runId = `raw-${mode}-${Date.now().toString(36)}`;
      const base = await runLoad(chain.target, {
        rate: s.baselineRate,
        durationMs: s.baselineMs,
        makeOrder: (i) => labOrder(runId, i),
        seed: s.seed,
        progressLabel: `raw ${mode}`,
      });
      let n = 1_000_000;
      const { steps, capacity: highest, atTopOfLadder } = await stepRates(chain.target, s, () => labOrder(runId, n++), `raw ${mode}`);
      out.push({ mode, load: summary(base), steps, figures: { highestSustainedRate: highest, atTopOfLadder } });
    } finally {
      await chain.stop();
    }
  }
  return out;
}
