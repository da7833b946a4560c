import { join } from "node:path";
import { round2 } from "../report/format.js";
import { RAW_OF, rawRunOf, runOf, type Finding, type Mode, type ModeRun, type ScenarioResult } from "../results.js";
import { systemRuns, type ReportTable } from "../report/tables.js";
import { searchCapacity } from "../measure/capacity-search.js";
import type { LabContext } from "../context.js";
import { probeNoise } from "../measure/noise-probe.js";
import { inRoundOrder, startWarmedUp } from "../measure/rounds.js";
import { SATURATION, measureSaturation } from "../measure/saturation.js";
import { systemsOf, type RunningSystem } from "../systems/systems.js";
import { medianAndSpread, pairedFinding } from "../stats.js";
import { capacitySearchSettings } from "./capacity.js";
import { NOTHING, resultOf, type Scenario } from "./scenario.js";

/** Rounds per profile: each measures every system with both estimators. */
const ROUNDS = { quick: 2, short: 5, full: 8 } as const;

/** The two estimators' findings: the same comparisons the capacity scenario makes, once per estimator. */
export const FINDINGS = {
  searchNatsVsGrpc: "capacity-estimators.search.nats-vs-grpc",
  saturationNatsVsGrpc: "capacity-estimators.saturation.nats-vs-grpc",
  searchGrpcVsBare: "capacity-estimators.search.grpc-vs-bare",
  saturationGrpcVsBare: "capacity-estimators.saturation.grpc-vs-bare",
} as const;

/** The relative spread of an estimator's rounds: sample standard deviation ÷ mean. */
export function coefficientOfVariation(values: readonly number[]): number | undefined {
  if (values.length < 2) return undefined;
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  if (mean <= 0) return undefined;
  const sd = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (values.length - 1));
  return sd / mean;
}

/**
 * The spread an estimator would have if it were given `seconds` per estimate: an averaging
 * estimator's spread falls with the square root of its time, so spreads measured at different
 * times per estimate are compared at the same time this way.
 */
export const spreadAt = (cv: number, secondsTaken: number, seconds: number) => cv * Math.sqrt(secondsTaken / seconds);

function runFrom(mode: Mode, search: number[], searchSec: number[], saturation: number[], saturationSec: number[]): ModeRun {
  const cvSearch = coefficientOfVariation(search);
  const cvSaturation = coefficientOfVariation(saturation);
  const secSearch = medianAndSpread(searchSec).median;
  const secSaturation = medianAndSpread(saturationSec).median;
  return {
    mode,
    series: { search, searchSec, saturation, saturationSec },
    figures: {
      searchMedian: medianAndSpread(search).median,
      saturationMedian: medianAndSpread(saturation).median,
      secondsPerSearch: round2(secSearch),
      secondsPerSaturation: round2(secSaturation),
      ...(cvSearch === undefined ? {} : { cvSearchPercent: round2(cvSearch * 100) }),
      ...(cvSaturation === undefined ? {} : { cvSaturationPercent: round2(cvSaturation * 100) }),
      // Both at 10 s per estimate, the capacity scenario's order of time per search.
      ...(cvSearch === undefined ? {} : { cvSearchAt10sPercent: round2(spreadAt(cvSearch, secSearch, 10) * 100) }),
      ...(cvSaturation === undefined ? {} : { cvSaturationAt10sPercent: round2(spreadAt(cvSaturation, secSaturation, 10) * 100) }),
    },
  };
}

const series = (r: ModeRun | undefined, k: string) => r?.series?.[k] ?? [];

/** Each estimator: its series, its name in a label, and the verb of its verdict. */
const ESTIMATORS = [
  {
    key: "search",
    name: "Highest rate held (stepped search)",
    verb: "sustains",
    ids: { natsVsGrpc: FINDINGS.searchNatsVsGrpc, grpcVsBare: FINDINGS.searchGrpcVsBare },
  },
  {
    key: "saturation",
    name: "Saturation throughput",
    verb: "completes",
    ids: { natsVsGrpc: FINDINGS.saturationNatsVsGrpc, grpcVsBare: FINDINGS.saturationGrpcVsBare },
  },
] as const;

/** The capacity scenario's comparisons, once per estimator: NATS ÷ gRPC, and gRPC ÷ its bare chain. */
function findings(s: ScenarioResult): Finding[] {
  const g = runOf(s, "grpc");
  const x = runOf(s, "nats");
  const bare = rawRunOf(s, "grpc");
  return ESTIMATORS.flatMap((e) => {
    const ratio = (id: string, label: string, a: ModeRun, b: ModeRun, who: string, than: string) =>
      pairedFinding(
        {
          id,
          label: `${e.name}, ${label}`,
          kind: "ratio",
          unit: "×",
          words: { higher: `${who} ${e.verb} more${than}`, lower: `${who} ${e.verb} less${than}` },
        },
        series(a, e.key),
        series(b, e.key),
      );
    return [
      ...(g && x ? [ratio(e.ids.natsVsGrpc, "NATS ÷ gRPC", x, g, "NATS", "")] : []),
      ...(g && bare ? [ratio(e.ids.grpcVsBare, "gRPC ÷ its bare chain", g, bare, "gRPC", " than its bare chain")] : []),
    ];
  });
}

/**
 * Two ways to measure capacity, side by side on the same running systems in interleaved rounds: the
 * capacity scenario's stepped search (the highest rate held with p99 under the bound) and a
 * saturating closed loop (orders completed per second with 64 always in the system). Each
 * estimator's spread over the rounds, and the width of the intervals each gives the comparisons,
 * say which estimator decides a verdict sooner.
 */
async function run(ctx: LabContext): Promise<ScenarioResult> {
  const ids = systemsOf(ctx.modes);
  const systems: RunningSystem[] = [];
  const search = ids.map((): number[] => []);
  const searchSec = ids.map((): number[] => []);
  const saturation = ids.map((): number[] => []);
  const saturationSec = ids.map((): number[] => []);
  const saturationSettings = { ...SATURATION, drainTimeoutMs: ctx.settings.drainTimeoutMs };
  try {
    await startWarmedUp(
      ctx,
      systems,
      ids.map((id) => ({ scenario: capacityEstimators.id, id, label: `${capacityEstimators.id} ${id}` })),
    );
    for (let round = 1; round <= ROUNDS[ctx.settings.profile]; round++) {
      ctx.probes.push(probeNoise(join(ctx.outDir, "data", "probe"), `${capacityEstimators.id} round ${round}`));
      for (const [i, system] of inRoundOrder(systems, round, ctx.settings.roundOrderSeed)) {
        // Each search from scratch, as the capacity scenario's first round: no estimate carried over.
        let t = performance.now();
        search[i]!.push((await searchCapacity(system, capacitySearchSettings(ctx), round)).capacity);
        searchSec[i]!.push((performance.now() - t) / 1000);
        t = performance.now();
        saturation[i]!.push((await measureSaturation(system, saturationSettings, `${capacityEstimators.id} ${ids[i]}`)).throughputPerSec);
        saturationSec[i]!.push((performance.now() - t) / 1000);
      }
    }
    const runAt = (i: number, mode: Mode) => runFrom(mode, search[i]!, searchSec[i]!, saturation[i]!, saturationSec[i]!);
    return resultOf(
      capacityEstimators,
      ctx.modes.map((m) => runAt(ids.indexOf(m), m)),
      ctx.modes.map((m) => runAt(ids.indexOf(RAW_OF[m]), m)),
    );
  } finally {
    for (const system of systems) await system.stop();
  }
}

const widthOf = (f: Finding | undefined) => (f && f.low > 0 && Number.isFinite(f.high) ? round2(f.high / f.low) : undefined);

export const capacityEstimators: Scenario = {
  ...NOTHING,
  id: "capacity-estimators",
  title: "Capacity estimators: a stepped search against a saturating closed loop",
  claim: "A verdict on capacity needs an estimate whose spread is smaller than the difference it looks for.",
  onlyByName: true,
  figureLabels: {
    searchMedian: "highest rate held, stepped search (median, orders/s)",
    saturationMedian: "saturation throughput, 64 in flight (median, orders/s)",
    secondsPerSearch: "seconds per search",
    secondsPerSaturation: "seconds per saturation measure",
    cvSearchPercent: "spread of the search over the rounds (sd ÷ mean, %)",
    cvSaturationPercent: "spread of the saturation throughput over the rounds (sd ÷ mean, %)",
    cvSearchAt10sPercent: "the search's spread at 10 s per estimate (%)",
    cvSaturationAt10sPercent: "the saturation throughput's spread at 10 s per estimate (%)",
  },
  run,
  explain(s, report) {
    const parts = [
      `Each round measured every system twice in turn: the stepped search (${report.settings.capacityStepMs / 1000} s steps, p99 under ${report.settings.p99BoundMs} ms and under ${report.settings.errorBound * 100} % errors) and a saturating closed loop (${SATURATION.inFlight} orders always in the system, each replaced when complete; completions counted for ${SATURATION.windowMs / 1000} s after ${SATURATION.settleMs / 1000} s of filling up).`,
    ];
    for (const [name, r] of systemRuns(s))
      parts.push(
        `${name}: search ${String(r.figures.searchMedian)}/s (spread ${String(r.figures.cvSearchPercent ?? "–")} % in ${String(r.figures.secondsPerSearch)} s), saturation ${String(r.figures.saturationMedian)}/s (spread ${String(r.figures.cvSaturationPercent ?? "–")} % in ${String(r.figures.secondsPerSaturation)} s).`,
      );
    for (const [search, saturation] of [
      [FINDINGS.searchNatsVsGrpc, FINDINGS.saturationNatsVsGrpc],
      [FINDINGS.searchGrpcVsBare, FINDINGS.saturationGrpcVsBare],
    ] as const) {
      const a = report.findings.find((f) => f.id === search);
      const b = report.findings.find((f) => f.id === saturation);
      if (a && b)
        parts.push(`${a.label}: ${a.text} (interval ${String(widthOf(a) ?? "∞")}× wide); ${b.label}: ${b.text} (interval ${String(widthOf(b) ?? "∞")}× wide).`);
    }
    return parts;
  },
  verdict(r) {
    if (!r) return "not run";
    return `search ${String(r.figures.searchMedian)}/s ±${String(r.figures.cvSearchPercent ?? "–")} %, saturation ${String(r.figures.saturationMedian)}/s ±${String(r.figures.cvSaturationPercent ?? "–")} %`;
  },
  keyFigure: (r) => `search ${String(r.figures.searchMedian)}/s, saturation ${String(r.figures.saturationMedian)}/s`,
  tables(s): ReportTable[] {
    const all = systemRuns(s);
    return [
      {
        caption: "Each round's estimate, in round order (orders/s)",
        header: ["", ...all.map(([name]) => name)],
        rows: [
          ["stepped search", ...all.map(([, r]) => series(r, "search").join(" / "))],
          ["saturation throughput", ...all.map(([, r]) => series(r, "saturation").join(" / "))],
        ],
      },
    ];
  },
  findings,
};
