import { cpus } from "node:os";
import { COLOR, RAW_COLOR } from "../report/charts.js";
import { ms, show, sustainedRateText } from "../report/format.js";
import {
  MODE_NAME,
  RAW_OF,
  rawRunOf,
  runOf,
  type CapacityStep,
  type Finding,
  type Mode,
  type ModeRun,
  type ScenarioResult,
  type SystemId,
} from "../results.js";
import { MODES, isMode } from "../../services/common/config.js";
import { lineChart, type Series } from "../report/svg-charts.js";
import { systemRuns, type ReportTable } from "../report/tables.js";
import { searchCapacity, type SearchResult, type SearchSettings } from "../measure/capacity-search.js";
import { SATURATION, measureSaturation, type SaturationResult } from "../measure/saturation.js";
import type { LabContext } from "../context.js";
import { probeNoise } from "../measure/noise-probe.js";
import { washOut } from "../measure/wash-out.js";
import { NO_SHARE, RoundsPastCap } from "../measure/round-budget.js";
import { closestToMedian, cpuTotal, inRoundOrder, startWarmedUp } from "../measure/rounds.js";
import { systemsOf, type RunningSystem } from "../systems/systems.js";
import { medianAndSpread, pairedFinding } from "../stats.js";
import { join } from "node:path";
import { resultOf, type Scenario } from "./scenario.js";
import { vsBareFindings } from "./vs-bare.js";

/** This scenario's findings (results.json's ids). */
export const FINDINGS = {
  natsVsGrpc: "capacity.nats-vs-grpc",
  grpcVsBare: "capacity.grpc-vs-bare",
  natsVsBare: "capacity.nats-vs-bare",
} as const;
const VS_BARE = { grpc: FINDINGS.grpcVsBare, nats: FINDINGS.natsVsBare } as const satisfies Record<Mode, string>;

/** The capacity search as the lab's settings define it. */
export function capacitySearchSettings(ctx: LabContext): SearchSettings {
  const s = ctx.settings;
  return {
    startRate: s.capacityStartRate,
    maxRate: s.capacityMaxRate,
    stepMs: s.capacityStepMs,
    refineSteps: s.capacityRefineSteps,
    p99BoundMs: s.p99BoundMs,
    errorBound: s.errorBound,
    drainTimeoutMs: s.drainTimeoutMs,
  };
}

/**
 * Capacity measured a second way: the machine's cores divided by the CPU one order
 * takes (services, broker and the load generator, which shares the cores) at the
 * highest rate that held. Where the two ways disagree, something other than CPU
 * limits the system (the latency bound, locks, I/O, scheduling).
 */
function capacityFromCpu(steps: readonly CapacityStep[], cores: number): number | undefined {
  const rounds = [...new Set(steps.map((st) => st.round))];
  const perRound = rounds
    .map((round) => steps.filter((st) => st.round === round && st.held).sort((a, b) => b.rate - a.rate)[0])
    .filter((st): st is CapacityStep => st !== undefined && cpuTotal(st.cpu) > 0)
    .map((st) => (cores * 1000) / (cpuTotal(st.cpu) + (st.clientCpuMsPerOrder ?? 0)));
  return perRound.length > 0 ? Math.round(medianAndSpread(perRound).median) : undefined;
}

function runFrom(mode: Mode, list: SearchResult[], saturated: SaturationResult[], system: RunningSystem): ModeRun {
  const rounds = list.map((r) => r.capacity);
  const saturation = saturated.map((r) => r.throughputPerSec);
  const steps = list.flatMap((r) => r.steps);
  const median = medianAndSpread(rounds).median;
  const fromCpu = capacityFromCpu(steps, cpus().length);
  const agree = fromCpu === undefined || median === 0 ? undefined : Math.max(fromCpu / median, median / fromCpu) <= 1.5;
  const cpuOf = (x: SaturationResult) => cpuTotal(x.cpu) + x.clientCpuMsPerOrder;
  const medianCpu = medianAndSpread(saturated.map(cpuOf)).median;
  const typical = saturated.length > 0 ? closestToMedian(saturated, medianCpu, cpuOf) : undefined;
  return {
    mode,
    steps,
    ...(typical ? { cpuSaturated: { ...typical.cpu, client: typical.clientCpuMsPerOrder, clientMainThread: typical.clientMainThreadMsPerOrder } } : {}),
    ...(list.length > 0 ? { capacity: { ...medianAndSpread(rounds), rounds, atMaxRate: list.some((r) => r.atMaxRate) } } : {}),
    rssMiBPeak: system.peakRssMiB(),
    series: { capacity: rounds, saturation, saturationOthersCpuMs: saturated.map((r) => r.othersCpuMs) },
    figures: {
      ...(saturation.length > 0
        ? {
            saturationMedian: Math.round(medianAndSpread(saturation).median),
            saturationP99Ms: medianAndSpread(saturated.map((r) => r.p99Ms)).median,
          }
        : {}),
      ...(fromCpu === undefined ? {} : { capacityFromCpu: fromCpu }),
      ...(agree === undefined
        ? {}
        : { capacityWaysAgree: agree ? "yes (within 1.5×)" : `no: the search found ${median}/s; CPU alone would allow ${fromCpu}/s` }),
    },
  };
}

// The comparisons are made on the saturation throughput: of the estimators measured side by side
// (the capacity-estimators scenario; docs/scaling.md), the one with the smaller spread for its time.
const rounds = (r: ModeRun | undefined) => r?.series?.saturation ?? [];

/** The systems a capacity finding compares. */
function comparedIn(id: string): SystemId[] {
  if (id === FINDINGS.natsVsGrpc) return ["grpc", "nats"];
  const m = MODES.find((mode) => VS_BARE[mode] === id);
  return m ? [m, RAW_OF[m]] : [];
}

function findings(s: ScenarioResult): Finding[] {
  const out: Finding[] = [];
  const g = runOf(s, "grpc");
  const x = runOf(s, "nats");
  if (g && x)
    out.push(
      pairedFinding(
        {
          id: FINDINGS.natsVsGrpc,
          label: `Saturation throughput (${SATURATION.inFlight} orders in the system), NATS ÷ gRPC`,
          kind: "ratio",
          unit: "×",
          words: { higher: "NATS completes more", lower: "NATS completes less" },
        },
        rounds(x),
        rounds(g),
      ),
    );
  out.push(...vsBareFindings(s, VS_BARE, { label: "Saturation throughput", verb: "completes", perRound: rounds }));
  return out;
}

const STEP_HEADER = ["round", "rate", "held", "sent", "completed", "p50 ms", "p99 ms", "errors", "CPU ms per order"];

function stepTable(name: string, r: ModeRun): ReportTable {
  return {
    caption: `${name}: every probe (CPU ms per order by process; nats-server separately)`,
    header: STEP_HEADER,
    rows: (r.steps ?? []).map((st) => [
      st.round,
      st.rate,
      st.held ? "yes" : "no",
      st.sent,
      st.completed,
      st.complete.p50,
      st.complete.p99,
      Object.values(st.errors).reduce((a, b) => a + b, 0),
      [...Object.entries(st.cpu.processes).map(([k, v]) => `${k} ${v}`), ...(st.cpu.broker === null ? [] : [`nats-server ${st.cpu.broker}`])].join(", "),
    ]),
  };
}

/**
 * The highest rate each mode and each bare chain sustains. All systems are
 * started and warmed up first; then each round searches every system in turn,
 * a mode next to its bare chain, so that a slow moment of the machine falls
 * on both, then runs it saturated. Later searches start from the previous round's
 * figure. The first rounds search and run saturated; later ones run saturated only, at least
 * capacitySaturationRounds, and more while a comparison's interval (made on the saturation
 * throughput) is wider than capacityWidth end to end, up to capacityMaxRounds.
 */
async function run(ctx: LabContext): Promise<ScenarioResult> {
  const s = ctx.settings;
  const search = capacitySearchSettings(ctx);
  const ids = systemsOf(ctx.modes);
  const systems: RunningSystem[] = [];
  const results = ids.map((): SearchResult[] => []);
  const saturated = ids.map((): SaturationResult[] => []);
  const at = (i: number, m: Mode) => runFrom(m, results[i]!, saturated[i]!, systems[i]!);
  const resultFrom = () =>
    resultOf(
      capacity,
      ctx.modes.map((m) => at(ids.indexOf(m), m)),
      ctx.modes.map((m) => at(ids.indexOf(RAW_OF[m]), m)),
    );
  try {
    await startWarmedUp(
      ctx,
      systems,
      ids.map((id) => ({ scenario: capacity.id, id, label: `${capacity.id} ${id}` })),
    );
    const pastCap = new RoundsPastCap(systems.length, Math.max(s.capacityMaxRounds, s.capacityRounds), ctx.roundShare ?? NO_SHARE);
    let open: readonly number[] = [...systems.keys()];
    for (let round = 1; round <= Math.max(s.capacityMaxRounds, s.capacityRounds, s.capacityBudgetRounds); round++) {
      const refusal = pastCap.refusal(round, open);
      if (refusal) {
        ctx.log(`[${capacity.id}] ${refusal}: stopping`);
        break;
      }
      const roundStarted = performance.now();
      ctx.probes.push(probeNoise(join(ctx.outDir, "data", "probe"), `${capacity.id} round ${round}`));
      for (const [, i] of inRoundOrder(open, round, s.roundOrderSeed)) {
        const system = systems[i]!;
        const turnStarted = performance.now();
        // Searches a mode in the first rounds only (a bare chain is compared saturated only); every
        // round runs each open system saturated.
        const previous = results[i]!.at(-1)?.capacity;
        if (round <= s.capacityRounds && isMode(ids[i])) {
          await washOut();
          results[i]!.push(await searchCapacity(system, search, round, previous || undefined));
        }
        await washOut();
        saturated[i]!.push(await measureSaturation(system, { ...SATURATION, drainTimeoutMs: s.drainTimeoutMs }, `${capacity.id} ${ids[i]}`));
        pastCap.turn(i, performance.now() - turnStarted);
      }
      pastCap.ended(round, performance.now() - roundStarted);
      if (round >= Math.max(s.capacityRounds, s.capacitySaturationRounds)) {
        // Only the systems of a comparison still wider than capacityWidth go on.
        const wide = findings(resultFrom()).filter((f) => !(f.low > 0 && f.high / f.low <= s.capacityWidth));
        open = ids.flatMap((id, i) => (wide.some((f) => comparedIn(f.id).includes(id)) ? [i] : []));
        if (open.length === 0) break;
      }
    }
    return resultFrom();
  } finally {
    for (const system of systems) await system.stop();
  }
}

export const capacity: Scenario = {
  id: "capacity",
  takesRoundBudget: true,
  title: "Capacity: the highest sustained rate",
  claim: "Too many requests can overload a server; with a broker the server decides how much it takes.",
  figureLabels: {
    capacityFromCpu: "sustained rate the CPU allows: cores ÷ CPU per order (services, broker, load generator) at the highest rate that held (orders/s)",
    capacityWaysAgree: "the search and the CPU estimate agree",
    saturationMedian: `saturation throughput: orders completed per second with ${SATURATION.inFlight} always in the system (median round)`,
    saturationP99Ms: "completion p99 at saturation (ms, median round)",
  },
  run,
  explain(s, report) {
    const st = report.settings;
    const parts = [
      `A rate counts as sustained when it runs ${st.capacityStepMs / 1000} s with completion p99 under ${st.p99BoundMs} ms and under ${st.errorBound * 100}% errors; a rate that failed was probed once more, and held if that probe held. ` +
        `Each mode was searched ${st.capacityRounds === 1 ? "once" : `${st.capacityRounds} times, in rounds`}${st.capacityRounds === 1 ? "" : "; the figure is the median of the searches, with their range in brackets"}; the bare chains, which only serve as comparisons, were not. ` +
        `Then, in rounds, each system ran saturated in turn: ${SATURATION.inFlight} orders always in it, each replaced as soon as it completed, the completions counted for ${SATURATION.windowMs / 1000} s after ${SATURATION.settleMs / 1000} s of filling up; at least ${st.capacitySaturationRounds} rounds, and more, up to ${st.capacityMaxRounds}${st.capacityBudgetRounds > st.capacityMaxRounds ? ` (then up to ${st.capacityBudgetRounds} while the run's round budget lasted${s.roundBudget ? `: ${Math.round(s.roundBudget.spentMs / 1000)} s of this scenario's ${Math.round(s.roundBudget.shareMs / 1000)} s spent` : ""})` : ""}, while a comparison's interval was wider than ${st.capacityWidth}× end to end; in those rounds only the systems of a comparison still that wide ran. ` +
        `The comparisons (NATS ÷ gRPC, a mode ÷ its bare chain) are made on this saturation throughput: its spread over rounds is smaller than the search's, and it is never capped.`,
    ];
    for (const m of ["grpc", "nats"] as const) {
      const run = runOf(s, m);
      if (!run) continue;
      const vsBare = report.findings.find((f) => f.id === VS_BARE[m]);
      parts.push(
        `${MODE_NAME[m]} sustained ${sustainedRateText(run)} orders/s and completed ${show(run.figures.saturationMedian)} a second saturated${vsBare ? ` (against its bare chain: ${vsBare.text})` : ""}.`,
      );
      if (run.figures.capacityFromCpu !== undefined)
        parts.push(
          `Its CPU per order at that rate would allow ${show(run.figures.capacityFromCpu)} orders/s on ${report.machine.cpus} cores; the two ways agree: ${show(run.figures.capacityWaysAgree)}.`,
        );
      const broke = (run.steps ?? []).filter((p) => !p.held).sort((a, b) => a.rate - b.rate)[0];
      if (broke) {
        const errors = Object.values(broke.errors).reduce((a, b) => a + b, 0);
        parts.push(
          `At ${broke.rate}/s ${MODE_NAME[m]} broke the bound: p99 ${ms(broke.complete.p99)}, ${broke.completed} of ${broke.sent} completed, ${errors} errors.`,
        );
      }
      if (run.rssMiBPeak)
        parts.push(
          `Peak memory of the ${MODE_NAME[m]} services: ${Object.entries(run.rssMiBPeak)
            .map(([k, v]) => `${k} ${v} MiB`)
            .join(", ")}.`,
        );
    }
    const versus = report.findings.find((f) => f.id === FINDINGS.natsVsGrpc);
    if (versus) parts.push(`NATS against gRPC, saturated, round by round: ${versus.text}.`);
    return parts;
  },
  verdict(r, _s, report) {
    if (!r) return "not run";
    const f = report.findings.find((x) => x.id === VS_BARE[r.mode]);
    return `sustained ${sustainedRateText(r)} orders/s; saturated ${show(r.figures.saturationMedian)}/s${f ? ` (${f.estimate} of its bare chain, ${f.low}–${f.high})` : ""}${r.rssMiBPeak ? `; largest service peaked at ${Math.max(...Object.values(r.rssMiBPeak))} MiB` : ""}`;
  },
  keyFigure: (r) =>
    `sustained ${sustainedRateText(r)}/s, saturated ${show(r.figures.saturationMedian)}/s${r.rssMiBPeak ? `, peak RSS ${Math.max(...Object.values(r.rssMiBPeak))} MiB` : ""}`,
  charts(s, report) {
    const p99: Series[] = [];
    const thr: Series[] = [];
    // The first round's probes, by rate: later rounds probe again near the answer.
    const byRate = (r: ModeRun) => (r.steps ?? []).filter((st) => st.round === 1).sort((a, b) => a.rate - b.rate);
    for (const [r, bare] of [...s.runs.map((r) => [r, false] as const), ...(s.raw ?? []).map((r) => [r, true] as const)].filter(
      ([r]) => byRate(r).length > 0,
    )) {
      const name = `${bare ? "bare " : ""}${MODE_NAME[r.mode]}`;
      const color = (bare ? RAW_COLOR : COLOR)[r.mode];
      p99.push({ name: `${name} p99`, color, dashed: bare, points: byRate(r).map((st) => [st.rate, st.complete.p99]) });
      thr.push({ name, color, dashed: bare, points: byRate(r).map((st) => [st.rate, st.throughputPerSec]) });
    }
    return [
      lineChart("Completion p99 as the offered rate steps up", "offered orders per second", "p99 ms", p99, [
        { x: 0, label: `bound ${report.settings.p99BoundMs} ms` },
      ]),
      lineChart("Throughput as the offered rate steps up", "offered orders per second", "completed per second", thr),
    ];
  },
  tables(s) {
    const all = systemRuns(s);
    return [
      {
        header: ["", ...all.map(([name]) => name)],
        rows: [
          ["sustained orders/s (median, lowest–highest round)", ...all.map(([, r]) => sustainedRateText(r))],
          ["each round", ...all.map(([, r]) => r.capacity?.rounds.join(" / ") ?? "–")],
          [`saturation throughput, ${SATURATION.inFlight} in the system (each round)`, ...all.map(([, r]) => (r.series?.saturation ?? []).join(" / ") || "–")],
          [
            "peak memory (MiB)",
            ...all.map(([, r]) =>
              Object.entries(r.rssMiBPeak ?? {})
                .map(([k, v]) => `${k} ${v}`)
                .join(", "),
            ),
          ],
        ],
      },
      ...all.filter(([, r]) => (r.steps ?? []).length > 0).map(([name, r]) => stepTable(name, r)),
    ];
  },
  summarize(s, summary) {
    const put = (target: (typeof summary)["grpc"], r: ModeRun | undefined, withRss: boolean) => {
      if (!r) return;
      const c = r.capacity;
      if (c) {
        target.capacity = c.atMaxRate ? null : c.median;
        target.capacityAtLeast = c.atMaxRate ? c.median : null;
        target.capacitySpread = { min: c.min, max: c.max, rounds: c.rounds };
      }
      const saturation = r.series?.saturation ?? [];
      target.saturation = saturation.length > 0 ? { median: medianAndSpread(saturation).median, rounds: saturation, inFlight: SATURATION.inFlight } : null;
      if (withRss) target.rssMiBPeak = r.rssMiBPeak ? Math.max(...Object.values(r.rssMiBPeak)) : null;
    };
    for (const m of ["grpc", "nats"] as const) {
      put(summary[m], runOf(s, m), true);
      put(summary[RAW_OF[m]], rawRunOf(s, m), false);
    }
  },
  findings,
};
