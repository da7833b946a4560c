import type { Profile } from "../settings.js";
import { COLOR } from "../report/charts.js";
import { ms } from "../report/format.js";
import { unpairedDifferenceFinding } from "../stats.js";
import { MODE_NAME, runOf, type Finding, type Mode, type ModeRun, type ScenarioResult } from "../results.js";
import { lineChart, type Series } from "../report/svg-charts.js";
import type { LabContext } from "../context.js";
import { withSession } from "../systems/session.js";
import { NOTHING, resultOf, type Scenario } from "./scenario.js";

/**
 * This scenario's knobs per profile (results.json keeps them under the scenario's settings): the
 * one-way delay of every hop, a run per value; the offered rate (below every mode's capacity even at
 * the longest delay: 8 in flight at 20 ms a hop still carry 50/s), orders in flight, and how long.
 */
export const LATENCY_SETTINGS = {
  quick: { latencyHopDelaysMs: [0, 5], latencyRate: 50, latencyInFlight: 8, latencyRunMs: 2_000 },
  short: { latencyHopDelaysMs: [0, 5], latencyRate: 50, latencyInFlight: 8, latencyRunMs: 4_000 },
  full: { latencyHopDelaysMs: [0, 2, 5, 20], latencyRate: 50, latencyInFlight: 8, latencyRunMs: 10_000 },
} as const satisfies Record<Profile, object>;

/** One mode's figures at each hop delay, aligned with the summary's hopDelaysMs. */
export interface LatencyByDelay {
  answerP50Ms: number[];
  answerP99Ms: number[];
  completeP50Ms: number[];
  completeP99Ms: number[];
  throughputPerSec: number[];
}

declare module "../results.js" {
  interface ResultsSummary {
    /** The latency scenario: per mode, each figure at each hop delay (aligned with hopDelaysMs). */
    latency?: { hopDelaysMs: number[] } & Partial<Record<Mode, LatencyByDelay>>;
  }
}

const SERIES = ["answerP50Ms", "answerP99Ms", "completeP50Ms", "completeP99Ms", "throughputPerSec"] as const satisfies ReadonlyArray<keyof LatencyByDelay>;

/** The hop delays a run measured, from its series (every mode measured the same ones). */
const delaysOf = (s: ScenarioResult) => s.runs[0]?.series?.hopDelayMs ?? [];

/**
 * Every hop the mode crosses delayed by the same one-way time (user-space links, see
 * testbed/net/link.ts): gRPC client→order, order→billing, order→notification; NATS each party
 * to its broker. At each delay, each mode in turn takes the same fixed rate with a fixed number
 * of orders in flight, after a short warm-up, on a fresh stack.
 */
async function run(ctx: LabContext): Promise<ScenarioResult> {
  const s = { ...ctx.settings, ...LATENCY_SETTINGS[ctx.settings.profile] };
  const series = new Map<Mode, Record<string, number[]>>(ctx.modes.map((m) => [m, { hopDelayMs: [], ...Object.fromEntries(SERIES.map((k) => [k, []])) }]));
  for (const delayMs of s.latencyHopDelaysMs) {
    for (const mode of ctx.modes) {
      await withSession(ctx, `latency-${delayMs}ms`, mode, { links: { delayMs } }, async (x) => {
        await x.load({
          rate: s.latencyRate,
          durationMs: Math.min(1_000, s.latencyRunMs),
          maxInFlight: s.latencyInFlight,
          progressLabel: `latency ${mode} warm-up`,
        });
        const r = await x.load({ rate: s.latencyRate, durationMs: s.latencyRunMs, maxInFlight: s.latencyInFlight, drainTimeoutMs: s.drainTimeoutMs });
        const m = series.get(mode)!;
        m.hopDelayMs!.push(delayMs);
        m.answerP50Ms!.push(r.accept.p50);
        m.answerP99Ms!.push(r.accept.p99);
        m.completeP50Ms!.push(r.complete.p50);
        m.completeP99Ms!.push(r.complete.p99);
        m.throughputPerSec!.push(r.throughputPerSec);
        // Each order's answer time at the first and the last delay, for the findings' intervals.
        const answers = r.orders.filter((o) => o.acceptedAt !== undefined).map((o) => Math.round((o.acceptedAt! - o.intendedAt) * 100) / 100);
        if (delayMs === s.latencyHopDelaysMs[0]) m.answerSamplesFirstMs = answers;
        if (delayMs === s.latencyHopDelaysMs.at(-1)) m.answerSamplesLastMs = answers;
      });
    }
  }
  const runs: ModeRun[] = ctx.modes.map((mode) => {
    const m = series.get(mode)!;
    const last = m.hopDelayMs!.length - 1;
    return {
      mode,
      series: m,
      figures: {
        hopDelays: m.hopDelayMs!.join(", "),
        answerP50AtZero: m.answerP50Ms![0]!,
        answerP50AtMost: m.answerP50Ms![last]!,
        completeP50AtZero: m.completeP50Ms![0]!,
        completeP50AtMost: m.completeP50Ms![last]!,
        answerGrowthPerHopMs: growthPerMs(m.hopDelayMs!, m.answerP50Ms!),
        completeGrowthPerHopMs: growthPerMs(m.hopDelayMs!, m.completeP50Ms!),
      },
    };
  });
  return resultOf(latency, runs);
}

/** How much a figure grows per ms of hop delay: the slope between the first and the last delay. */
function growthPerMs(delays: readonly number[], values: readonly number[]): number {
  const span = delays.at(-1)! - delays[0]!;
  return span > 0 ? Math.round(((values.at(-1)! - values[0]!) / span) * 100) / 100 : 0;
}

/** Per mode: the answer's mean at the longest delay less at the first, each order a sample. */
function findings(s: ScenarioResult): Finding[] {
  const top = delaysOf(s).at(-1) ?? 0;
  return s.runs.flatMap((r) => {
    const first = r.series?.answerSamplesFirstMs;
    const last = r.series?.answerSamplesLastMs;
    if (!first || !last || top === 0) return [];
    return [
      unpairedDifferenceFinding(
        {
          id: `latency.answer.hop-delay.${r.mode}`,
          label: `${MODE_NAME[r.mode]}: the client's answer (mean) with ${top} ms on every hop less with ${delaysOf(s)[0]} ms`,
          kind: "difference",
          unit: "ms",
          words: { higher: "the client waits for the hops", lower: "the answer came sooner across the network" },
        },
        last,
        first,
      ),
    ];
  });
}

function chart(s: ScenarioResult, key: "answerP50Ms" | "completeP50Ms", title: string): string {
  const series: Series[] = s.runs.map((r) => ({
    name: `${MODE_NAME[r.mode]} ${key === "answerP50Ms" ? "answer" : "completion"} p50`,
    color: COLOR[r.mode],
    points: (r.series?.hopDelayMs ?? []).map((d, i) => [d, r.series![key]![i]!] as [number, number]),
  }));
  return lineChart(title, "one-way delay of every hop (ms)", "ms", series);
}

/** The hops each style's client waits for, in the report's words. */
const HOPS_WAITED: Record<Mode, string> = {
  grpc: `the client waits for client→order, order→billing and order→notification, each there and back: six one-way hops`,
  nats: `the client waits for its own hop to the broker and back: two one-way hops; completion crosses the broker at every step (each delivery is pulled, acknowledged and followed by a publish that waits for its own acknowledgement)`,
};

export const latency: Scenario = {
  ...NOTHING,
  knobs: LATENCY_SETTINGS,
  id: "latency",
  title: "Latency: every hop across a network",
  claim: "A synchronous client waits while the whole chain runs, so it pays every hop; an asynchronous client is answered once the broker has the work.",
  figureLabels: {
    hopDelays: "one-way delay of every hop (ms), one run each",
    answerP50AtZero: "answer p50 with no delay (ms)",
    answerP50AtMost: "answer p50 at the longest delay (ms)",
    completeP50AtZero: "completion p50 with no delay (ms)",
    completeP50AtMost: "completion p50 at the longest delay (ms)",
    answerGrowthPerHopMs: "answer p50 growth per ms of hop delay (ms)",
    completeGrowthPerHopMs: "completion p50 growth per ms of hop delay (ms)",
  },
  run,
  findings,
  explain(s, report) {
    const delays = delaysOf(s);
    const top = delays.at(-1) ?? 0;
    const out = [
      `Every hop was delayed by ${delays.join(", ")} ms one way, a run each, at ${s.runs.length > 0 ? "the same rate and orders in flight in both modes" : "no rate"}.`,
    ];
    for (const r of s.runs) {
      const g = Number(r.figures.answerGrowthPerHopMs);
      const words = HOPS_WAITED[r.mode];
      out.push(
        `${MODE_NAME[r.mode]}: the answer's median went from ${ms(Number(r.figures.answerP50AtZero))} to ${ms(Number(r.figures.answerP50AtMost))} at ${top} ms a hop (${g} ms per ms of delay; ${words}); completion from ${ms(Number(r.figures.completeP50AtZero))} to ${ms(Number(r.figures.completeP50AtMost))} (${String(r.figures.completeGrowthPerHopMs)} ms per ms).`,
      );
    }
    for (const f of report.findings.filter((x) => x.id.startsWith("latency.answer.hop-delay."))) out.push(`${f.label}: ${f.text}.`);
    return out;
  },
  verdict(r, s) {
    if (!r) return "not run";
    return `answer p50 ${ms(Number(r.figures.answerP50AtZero))} → ${ms(Number(r.figures.answerP50AtMost))} at ${delaysOf(s).at(-1) ?? 0} ms a hop`;
  },
  keyFigure: (r) => `answer +${String(r.figures.answerGrowthPerHopMs)} ms per ms of hop delay`,
  charts: (s) => [
    chart(s, "answerP50Ms", "The client's answer (p50) against the delay of every hop"),
    chart(s, "completeP50Ms", "Completion (p50) against the delay of every hop"),
  ],
  summarize(s, summary) {
    const grpc = runOf(s, "grpc")?.series;
    const nats = runOf(s, "nats")?.series;
    const pick = (x: Record<string, number[]>): LatencyByDelay => Object.fromEntries(SERIES.map((k) => [k, x[k] ?? []])) as unknown as LatencyByDelay;
    summary.latency = { hopDelaysMs: delaysOf(s), ...(grpc ? { grpc: pick(grpc) } : {}), ...(nats ? { nats: pick(nats) } : {}) };
  },
};
