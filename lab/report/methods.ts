import type { LabReport } from "../results.js";

/** The report's methods: how the rounds ran, how the intervals are drawn, and what the machine's noise was. */
export function METHODS(report: LabReport): string[] {
  const s = report.settings;
  const n = report.noise;
  const noisy = n.probes.filter((p) => p.noisy).length;
  return [
    `Every comparison is made from rounds: the systems compared are started and warmed up (${(s.warmupRate * s.warmupMs) / 1000} orders at ${s.warmupRate}/s, unmeasured), then each round measures each of them in turn, so that a slow moment of the machine falls on all of them. Rounds come in pairs: the first of a pair measures them in an order drawn at random (seed ${s.roundOrderSeed}, drawn for this run; --order-seed repeats it), the second in the reverse of that order, so that none always runs first or last, or after the same neighbour. ` +
      `At the baseline rate (${s.baselineRate} orders/s, ${s.baselineMs / 1000} s per system and round) the baseline takes ${s.baselineRounds} to ${s.maxRounds} rounds; the priced features (tracing, the secure profile, durability, replication) ${s.comparisonRounds} to ${s.maxRounds} rounds at ${s.pricedRate} orders/s, where idle wakeups weigh little on each order${pricedBeyond(report)}; capacity ${s.capacityRounds} searches and ${s.capacitySaturationRounds} to ${s.capacityMaxRounds} saturated runs per system, in rounds${s.capacityBudgetRounds > s.capacityMaxRounds && s.roundBudgetMs > 0 ? ` (then up to ${s.capacityBudgetRounds} within the round budget)` : ""}. More rounds are taken only while a comparison's interval still includes "no difference" (a priced feature's: while it is more than ${s.pricedWidthMs} ms wide, decided or not, and only for the modes whose cost is; capacity: while a ratio's interval is more than ${s.capacityWidth}× wide end to end).`,
    `An estimate compares the two sides round by round. A ratio (a ÷ b) is the geometric mean of the rounds' ratios; a cost (a − b) the mean of the rounds' differences. Its 95 % interval is Student's t over the rounds (on the logarithms, for a ratio): with few rounds it is wide, as it should be. ` +
      `"Higher" or "lower" is said only when the whole interval lies on one side of "no difference" (1 for a ratio, 0 for a cost); otherwise the report says "no measurable difference" and gives the interval, never a signed cost.`,
    `The intervals are checked in every run by an A/A check: each mode is measured a second time in every baseline round, at the other end of the round, and compared with itself like any two systems (calibration.aa.<mode>). It should find no difference; when it finds one, the run's noise was larger than its intervals admit, and every other verdict is withheld.`,
    `The machine's noise is probed before every round: a fixed CPU-bound loop (median ${n.cpuLoopMedianMs} ms, ${n.cpuLoopMinMs}–${n.cpuLoopMaxMs} ms) and the cost of creating a small file (median ${n.fileCreateMedianUs} µs, ${n.fileCreateMinUs}–${n.fileCreateMaxUs} µs). ` +
      `${noisy} of ${n.probes.length} rounds were taken in a noisy moment (the loop a quarter slower than the run's median, or file creation twice as dear); their figures are kept, and the intervals carry their spread. Data directories are removed only at the end of the run: a mass delete makes new files dearer for about a minute on some file systems.`,
  ];
}

/** The priced features' rounds past the cap, and what each scenario took of the run's round budget. */
function pricedBeyond(report: LabReport): string {
  const s = report.settings;
  if (!(s.pricedMaxRounds > s.maxRounds && s.roundBudgetMs > 0)) return "";
  const used = report.scenarios
    .filter((x) => x.roundBudget)
    .map((x) => `${x.id} ${Math.round(x.roundBudget!.spentMs / 1000)} s of its ${Math.round(x.roundBudget!.shareMs / 1000)} s`)
    .join(", ");
  return `, then up to ${s.pricedMaxRounds} for a cost still too wide, while the run's budget of ${s.roundBudgetMs / 1000} s for rounds past a cap lasts (shared in turn with capacity: each scenario may spend what is left divided among it and those still to come${used ? `; this run: ${used}` : ""}); in those rounds only the systems of a comparison still too wide run`;
}

/** What the capacity model is, said once above its table. */
export const SCALE_NOTE =
  "The cores a mode needs are its CPU per order times the rate, planned at 70 % use. CPU per order is taken where processes are busy: in the capacity scenario's saturated runs (a NATS order costs there a fraction of what it costs at a moderate rate, since busy consumers and publishers batch); the warm rate's is shown beside it. " +
  "NATS's broker is planned at three replicas. Each service needs whole processes, since a Node.js process uses one core; memory is processes times each one's peak here (the broker's is not measured). " +
  "The model is checked on this machine: the lowest of three ceilings, against the saturation throughput this run measured: its cores divided by the CPU per order of everything that ran here (the lab's client included); one core divided by the busiest Node process's; and, for a chain whose callers wait for the answer (gRPC), one core divided by the main threads' CPU per order of the whole chain, client included, since every order in flight is held by a caller and the chain's processes then run in turns rather than side by side.";
