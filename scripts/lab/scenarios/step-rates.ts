import type { Order } from "../../../services/gen/shop/v1/order.js";
import { runLoad, type LoadResult, type LoadTarget } from "../load-generator.js";
import { summary, type LoadSummary } from "../scenario-types.js";
import type { LabSettings } from "../settings.js";

function sustained(r: LoadResult, s: LabSettings): boolean {
  const errors = Object.values(r.errors).reduce((a, b) => a + b, 0);
  return r.completed >= r.sent * (1 - s.errorBound) && errors <= r.sent * s.errorBound && r.complete.p99 <= s.p99BoundMs;
}

/** Steps the rate up until p99 or errors break the bound; the last step that held is the capacity. */
export async function stepRates(target: LoadTarget, s: LabSettings, makeOrder: () => Order, label: string) {
  const steps: LoadSummary[] = [];
  let capacity = 0;
  for (const rate of s.capacityRates) {
    const r = await runLoad(target, {
      rate,
      durationMs: s.capacityStepMs,
      makeOrder,
      seed: s.seed,
      drainTimeoutMs: 10_000,
      progressLabel: `${label} @${rate}/s`,
    });
    steps.push(summary(r));
    if (!sustained(r, s)) break;
    capacity = rate;
  }
  // Held even at the top step: the limit lies above the ladder, and the figure is a lower bound.
  return { steps, capacity, atTopOfLadder: capacity === s.capacityRates.at(-1) };
}
