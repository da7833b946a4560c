import { round2 } from "../report/format.js";
import type { Finding, Mode, ModeRun, ScenarioResult } from "../results.js";
import type { LabContext } from "../context.js";
import { closestToMedian, cpuTotal, measureRounds, startWarmedUp, type MeasuredRound } from "../measure/rounds.js";
import type { RunningSystem, SystemOptions } from "../systems/systems.js";
import { medianAndSpread, pairedFinding, type FindingSpec } from "../stats.js";
import { NO_SHARE } from "../measure/round-budget.js";

/** One mode run without and with a feature, side by side in every round. */
export interface Priced {
  mode: Mode;
  off: MeasuredRound[];
  on: MeasuredRound[];
  /** The system that ran with the feature (stopped by now; its session's records remain). */
  onSystem: RunningSystem;
}

export interface PricedFeature {
  label: string;
  /** How each mode runs without and with the feature (modes the feature does not apply to are left out). */
  variants(mode: Mode): { off: SystemOptions; on: SystemOptions } | undefined;
  /** The finding of the feature's cost in one mode. */
  cost(mode: Mode): Omit<FindingSpec, "kind" | "unit" | "words">;
}

const costWords = { higher: "costs", lower: "saves" };

/** The cost finding of each priced mode: with the feature less without it, round by round. */
export function costFindings(s: ScenarioResult, feature: Pick<PricedFeature, "cost">): Finding[] {
  return s.runs
    .filter((r) => r.series?.cpuOn && r.series.cpuOff)
    .map((r) =>
      pairedFinding({ ...feature.cost(r.mode), kind: "difference", unit: "ms CPU per order", words: costWords }, r.series!.cpuOn!, r.series!.cpuOff!),
    );
}

/** One side of a priced comparison, over its rounds: medians, and CPU per order in each round. */
export interface Side {
  /** CPU ms per order, services and broker. */
  cpu: number;
  cpuRounds: string;
  broker: number;
  acceptP50: number;
  completeP50: number;
}

function side(rounds: readonly MeasuredRound[]): Side {
  const median = (pick: (r: MeasuredRound) => number) => round2(medianAndSpread(rounds.map(pick)).median);
  return {
    cpu: median((r) => cpuTotal(r.cpu)),
    cpuRounds: rounds.map((r) => cpuTotal(r.cpu)).join(" / "),
    broker: median((r) => r.cpu.broker ?? 0),
    acceptP50: median((r) => r.load.accept.p50),
    completeP50: median((r) => r.load.complete.p50),
  };
}

/** What a priced mode's run shows: the median round with the feature, both sides' figures (named by the scenario), and their rounds. */
export function pricedRun(p: Priced, figures: (sides: { off: Side; on: Side }) => ModeRun["figures"]): ModeRun {
  const sides = { off: side(p.off), on: side(p.on) };
  const chosen = closestToMedian(p.on, sides.on.cpu);
  const series = {
    cpuOff: p.off.map((r) => cpuTotal(r.cpu)),
    cpuOn: p.on.map((r) => cpuTotal(r.cpu)),
    acceptOff: p.off.map((r) => r.load.accept.p50),
    acceptOn: p.on.map((r) => r.load.accept.p50),
  };
  return { mode: p.mode, load: chosen.load, cpu: chosen.cpu, series, figures: figures(sides) };
}

/**
 * Prices a feature: every mode it applies to is started twice, without and with
 * it, and warmed up; then rounds measure all of them in turn at the priced rate.
 * A mode's cost is measured until its interval is at most pricedWidthMs wide: up to
 * maxRounds rounds, then up to pricedMaxRounds while the scenario's share of the
 * run's round budget lasts (only the modes still too wide are measured in those). The systems are stopped
 * (flushing their spans) before the results are returned.
 */
export async function priceFeature(ctx: LabContext, feature: PricedFeature, resultFrom: (priced: Priced[]) => ScenarioResult): Promise<Priced[]> {
  const s = ctx.settings;
  const plan = ctx.modes.flatMap((mode) => {
    const v = feature.variants(mode);
    return v ? [{ mode, ...v }] : [];
  });
  const systems: RunningSystem[] = [];
  const names: string[] = [];
  try {
    const list = plan.flatMap((p) =>
      (["off", "on"] as const).map((side) => ({
        scenario: `${feature.label}-${p.mode}-${side}`,
        id: p.mode,
        options: p[side],
        label: `${feature.label} ${p.mode} ${side}`,
      })),
    );
    names.push(...plan.flatMap((p) => [`${p.mode} off`, `${p.mode} on`]));
    await startWarmedUp(ctx, systems, list);
    const pricedOf = (rounds: MeasuredRound[][]): Priced[] =>
      plan.map((p, i) => ({ mode: p.mode, off: rounds[2 * i]!, on: rounds[2 * i + 1]!, onSystem: systems[2 * i + 1]! }));
    const rounds = await measureRounds(
      ctx,
      systems,
      {
        label: feature.label,
        rate: s.pricedRate,
        durationMs: s.baselineMs,
        min: s.comparisonRounds,
        max: s.maxRounds,
        // A mode whose cost is known to within pricedWidthMs is done; the others go on, alone.
        open: (r) => {
          const wide = new Set(
            costFindings(resultFrom(pricedOf(r)), feature)
              .filter((f) => !(f.high - f.low <= s.pricedWidthMs))
              .map((f) => f.id),
          );
          return plan.flatMap((p, i) => (wide.has(feature.cost(p.mode).id) ? [2 * i, 2 * i + 1] : []));
        },
        beyond: { upTo: s.pricedMaxRounds, share: ctx.roundShare ?? NO_SHARE },
      },
      names,
    );
    return pricedOf(rounds);
  } finally {
    await Promise.all(systems.map((system) => system.stop()));
  }
}
