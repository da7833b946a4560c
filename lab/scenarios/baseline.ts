import { barChart, stackedBarChart } from "../report/svg-charts.js";
import { COLOR, RAW_COLOR, timelineChart } from "../report/charts.js";
import { cpuText, ms, round2, show } from "../report/format.js";
import { MODE_NAME, RAW_OF, rawRunOf, runOf, type Finding, type Mode, type ModeRun, type ScenarioResult, type SystemId } from "../results.js";
import { cpuTable } from "../report/tables.js";
import type { LabContext } from "../context.js";
import type { OrderOutcome } from "../../testbed/load/load-generator.js";
import type { LoadSummary } from "../../testbed/load/load-summary.js";
import { allOpenUnless, closestToMedian, cpuTotal, measureRounds, startWarmedUp, type MeasuredRound } from "../measure/rounds.js";
import { systemsOf, type RunningSystem } from "../systems/systems.js";
import { decided, medianAndSpread, pairedFinding } from "../stats.js";
import { resultOf, type Scenario } from "./scenario.js";
import { vsBareFindings } from "./vs-bare.js";

/** The mode against its bare chain, per mode (results.json's ids). */
export const FINDINGS = { grpcVsBare: "cpu.grpc-vs-bare", natsVsBare: "cpu.nats-vs-bare" } as const;
const VS_BARE = { grpc: FINDINGS.grpcVsBare, nats: FINDINGS.natsVsBare } as const satisfies Record<Mode, string>;

/** One system's rounds as the report keeps them: the median round, and every round's figures for the intervals. */
function runFrom(mode: Mode, rounds: MeasuredRound[], warm: MeasuredRound[], extra: Partial<ModeRun> = {}): ModeRun {
  const totals = rounds.map((r) => cpuTotal(r.cpu));
  const { median, min, max } = medianAndSpread(totals);
  const chosen = closestToMedian(rounds, median);
  const warmOwn = medianAndSpread(warm.map((r) => r.cpu.total)).median;
  const warmBroker = warm.some((r) => r.cpu.broker !== null) ? medianAndSpread(warm.map((r) => r.cpu.broker ?? 0)).median : undefined;
  const warmClient = medianAndSpread(warm.map((r) => r.clientCpuMsPerOrder)).median;
  return {
    mode,
    load: chosen.load,
    cpu: chosen.cpu,
    ...(warm.length > 0 ? { cpuWarm: closestToMedian(warm, medianAndSpread(warm.map((r) => cpuTotal(r.cpu))).median).cpu } : {}),
    figures: {
      ...(rounds.length > 1 ? { cpuRounds: totals.join(" / "), cpuSpread: `${min}–${max}` } : {}),
      ...(warm.length > 0 ? { cpuMsPerOrderWarm: round2(warmOwn), clientCpuMsPerOrderWarm: round2(warmClient) } : {}),
      ...(warmBroker !== undefined ? { brokerCpuMsPerOrderWarm: round2(warmBroker) } : {}),
    },
    series: {
      cpu: totals,
      completeP50: rounds.map((r) => r.load.complete.p50),
      acceptP50: rounds.map((r) => r.load.accept.p50),
      cpuWarm: warm.map((r) => cpuTotal(r.cpu)),
      othersCpuMs: rounds.map((r) => r.othersCpuMs),
    },
    ...extra,
  };
}

const series = (r: ModeRun | undefined, name: string) => r?.series?.[name] ?? [];

/**
 * The A/A check: each mode measured a second time in every baseline round (in the round's drawn order, inRoundOrder),
 * compared with itself like any two systems. Identical arms should show no difference; when they do,
 * this run's intervals are narrower than its noise (calibration.ts withholds the verdicts, by this id's prefix).
 */
function calibrationFindings(s: ScenarioResult): Finding[] {
  return (["grpc", "nats"] as const).flatMap((m) => {
    const run = runOf(s, m);
    if (!run || series(run, "cpuAA").length === 0) return [];
    return [
      pairedFinding(
        {
          id: `calibration.aa.${m}`,
          label: `A/A check: CPU per order, ${MODE_NAME[m]} ÷ the same ${MODE_NAME[m]} measured again in each round`,
          kind: "ratio",
          unit: "×",
          words: { higher: "the second arm cost more: the intervals are too narrow", lower: "the second arm cost less: the intervals are too narrow" },
        },
        series(run, "cpuAA"),
        series(run, "cpu"),
      ),
    ];
  });
}

/** CPU per order against the bare chains, and the latency of the two modes, each from the paired rounds. */
function comparisons(s: ScenarioResult): Finding[] {
  const out: Finding[] = vsBareFindings(s, VS_BARE, { label: "CPU per order (broker included)", verb: "costs", perRound: (r) => series(r, "cpu") });
  const g = runOf(s, "grpc");
  const x = runOf(s, "nats");
  if (g && x) {
    out.push(
      pairedFinding(
        {
          id: "latency.answer.nats-vs-grpc",
          label: "The client's answer (p50), NATS ÷ gRPC",
          kind: "ratio",
          unit: "×",
          words: { higher: "NATS answers later", lower: "NATS answers sooner" },
        },
        series(x, "acceptP50"),
        series(g, "acceptP50"),
      ),
      pairedFinding(
        {
          id: "latency.complete.nats-vs-grpc",
          label: "Time to complete an order (p50), NATS ÷ gRPC",
          kind: "ratio",
          unit: "×",
          words: { higher: "NATS completes later", lower: "NATS completes sooner" },
        },
        series(x, "completeP50"),
        series(g, "completeP50"),
      ),
    );
  }
  return out;
}

const findings = (s: ScenarioResult): Finding[] => [...comparisons(s), ...calibrationFindings(s)];

/** Publishes and deliveries per order: the NATS workflow has five, its bare chain three; a gRPC call chain is the same shape as its bare chain. */
const HOPS_SCALE: Record<Mode, number> = { grpc: 1, nats: 5 / 3 };
const SCALED_WORDS: Record<Mode, string> = { grpc: "", nats: ", scaled to the workflow's five publishes and deliveries from its three" };

/**
 * Where one order's CPU goes at the warm rate, in ms: the work (the floor), the transport (the bare
 * chain, its services' side and its broker, scaled to the workflow's hops) and the glue (the rest: what
 * joins transport and work). The parts add up to the mode's CPU per order, services and broker.
 */
export function cpuBreakdown(s: ScenarioResult, mode: Mode): { work: number; transport: number; broker: number; glue: number; total: number } | undefined {
  const run = runOf(s, mode);
  const bare = rawRunOf(s, mode);
  const num = (r: ModeRun | undefined, k: string) => (typeof r?.figures[k] === "number" ? r.figures[k] : undefined);
  const own = num(run, "cpuMsPerOrderWarm");
  const bareOwn = num(bare, "cpuMsPerOrderWarm");
  const floor = s.floor?.cpuWarm.length ? medianAndSpread(s.floor.cpuWarm).median : undefined;
  if (own === undefined || bareOwn === undefined || floor === undefined) return undefined;
  const total = own + (num(run, "brokerCpuMsPerOrderWarm") ?? 0);
  const transport = bareOwn * HOPS_SCALE[mode];
  const broker = (num(bare, "brokerCpuMsPerOrderWarm") ?? 0) * HOPS_SCALE[mode];
  return { work: round2(floor), transport: round2(transport), broker: round2(broker), glue: round2(total - transport - broker - floor), total: round2(total) };
}

/**
 * Each mode and its bare chain at the same moderate rate, side by side: every
 * system is started and warmed up first; then each round measures every system
 * in turn, a mode next to its bare chain, so that a slow moment of the machine
 * falls on all of them. Rounds go on until every comparison is decided, or the
 * cap. The round with the median CPU is shown; the audit covers every order.
 */
async function run(ctx: LabContext): Promise<ScenarioResult> {
  const s = ctx.settings;
  const ids: SystemId[] = [...systemsOf(ctx.modes), "floor"];
  const at = (id: SystemId) => ids.indexOf(id);
  const systems: RunningSystem[] = [];
  const taken: OrderOutcome[][] = [];
  try {
    taken.push(
      ...(await startWarmedUp(
        ctx,
        systems,
        ids.map((id) => ({ scenario: baseline.id, id, label: `${baseline.id} ${id}` })),
      )),
    );
    // The A/A arms: each mode once more in every round, listed after the other systems (arms ids.length + k).
    const arms = [...systems, ...ctx.modes.map((m) => systems[at(m)]!)];
    const armNames = [...ids, ...ctx.modes.map((m) => `${m} (A/A)`)];
    const aaOf = (rounds: MeasuredRound[][], m: Mode) => rounds[ids.length + ctx.modes.indexOf(m)] ?? [];
    const resultFrom = (rounds: MeasuredRound[][], warm: MeasuredRound[][] = [], extra: (i: number) => Partial<ModeRun> = () => ({})) => {
      const runAt = (m: Mode, i: number) => runFrom(m, rounds[i]!, warm[i] ?? [], extra(i));
      const withAA = (m: Mode) => {
        const r = runAt(m, at(m));
        return { ...r, series: { ...r.series, cpuAA: aaOf(rounds, m).map((x) => cpuTotal(x.cpu)), othersCpuMsAA: aaOf(rounds, m).map((x) => x.othersCpuMs) } };
      };
      const result = resultOf(
        baseline,
        ctx.modes.map((m) => withAA(m)),
        ctx.modes.map((m) => runAt(m, at(RAW_OF[m]))),
      );
      result.floor = { cpu: rounds[at("floor")]!.map((r) => cpuTotal(r.cpu)), cpuWarm: (warm[at("floor")] ?? []).map((r) => cpuTotal(r.cpu)) };
      return result;
    };
    const rounds = await measureRounds(
      ctx,
      arms,
      {
        label: baseline.id,
        rate: s.baselineRate,
        durationMs: s.baselineMs,
        min: s.baselineRounds,
        max: s.maxRounds,
        // The A/A check is not waited for: it should stay undecided.
        open: (r) => allOpenUnless(comparisons(resultFrom(r)).every(decided), arms.length),
      },
      armNames,
    );
    // The same systems at the warm rate, where idle wakeups and cold caches weigh little on each order.
    const warm = await measureRounds(
      ctx,
      systems,
      { label: `${baseline.id} warm`, rate: s.warmRate, durationMs: s.baselineMs, min: s.warmRounds, max: s.warmRounds, open: () => [] },
      ids,
    );
    // An A/A arm's orders are its system's.
    const owner = (i: number) => (i < ids.length ? i : at(ctx.modes[i - ids.length]!));
    for (const measured of [rounds, warm]) measured.forEach((list, i) => taken[owner(i)]!.push(...list.flatMap((r) => r.orders)));
    return resultFrom(rounds, warm, (i) => ({
      audit: systems[i]!.session?.audit(taken[i]!),
      addresses: systems[i]!.session?.stack.addressesUsed(),
      rssMiBPeak: systems[i]!.session ? systems[i]!.peakRssMiB() : undefined,
    }));
  } finally {
    await Promise.all(systems.map((system) => system.stop()));
  }
}

/** What the client waited for in each style, in the verdict's words. */
const WAITED: Record<Mode, (l: LoadSummary) => string> = {
  grpc: (l) => `client waited for completion: p50 ${ms(l.complete.p50)}, p99 ${ms(l.complete.p99)}`,
  nats: (l) => `client answered in ${ms(l.accept.p50)}; completed p50 ${ms(l.complete.p50)}, p99 ${ms(l.complete.p99)}`,
};

export const baseline: Scenario = {
  id: "baseline",
  title: "Baseline at a moderate rate",
  claim: "Synchronous: the client waits for the server's answer. Asynchronous: the client does not wait; the broker takes the request.",
  figureLabels: {
    cpuRounds: "CPU ms per order in each round (services and broker)",
    cpuSpread: "CPU ms per order, lowest–highest round",
    cpuMsPerOrderWarm: "CPU ms per order of its own processes at the warm rate (median round)",
    clientCpuMsPerOrderWarm: "CPU ms per order of the lab's load generator and client at the warm rate",
    brokerCpuMsPerOrderWarm: "nats-server's CPU ms per order at the warm rate",
  },
  run,
  explain(s, report) {
    const g = runOf(s, "grpc");
    const x = runOf(s, "nats");
    const parts: string[] = [];
    if (g?.load)
      parts.push(
        `gRPC answered each order only when billing and the e-mail were done: median ${ms(g.load.complete.p50)} to complete, p99 ${ms(g.load.complete.p99)}, and the client waited all of it.`,
      );
    if (x?.load)
      parts.push(
        `NATS answered as soon as the stream held the order (median ${ms(x.load.accept.p50)}); the order completed a median ${ms(x.load.complete.p50)} after it was sent, while the client was free.`,
      );
    parts.push(
      `Every system was first warmed up with ${(report.settings.warmupRate * report.settings.warmupMs) / 1000} orders at ${report.settings.warmupRate}/s, unmeasured, so that JIT compilation is not charged to orders.`,
    );
    for (const m of ["grpc", "nats"] as const) {
      const run = runOf(s, m);
      const bare = rawRunOf(s, m);
      if (!run?.cpu) continue;
      const own = cpuText(run.cpu.total, run.cpu.broker);
      const vs = bare?.cpu ? `; its bare chain ${cpuText(bare.cpu.total, bare.cpu.broker)}` : "";
      const f = report.findings.find((x) => x.id === VS_BARE[m]);
      parts.push(`CPU per order in the ${MODE_NAME[m]} services (median round): ${own}${vs}${f ? `; over ${f.rounds} rounds, ${f.text}` : ""}.`);
    }
    const warm = [...s.runs, ...(s.raw ?? [])].filter((r) => r.figures.cpuMsPerOrderWarm !== undefined);
    if (warm.length > 0)
      parts.push(
        `At the warm rate of ${report.settings.warmRate} orders/s, where idle wakeups weigh little on each order, CPU per order was ${warm
          .map((r) => {
            const name = s.raw?.includes(r) ? `bare ${MODE_NAME[r.mode]}` : MODE_NAME[r.mode];
            return `${name} ${cpuText(show(r.figures.cpuMsPerOrderWarm), r.figures.brokerCpuMsPerOrderWarm === undefined ? null : show(r.figures.brokerCpuMsPerOrderWarm))}`;
          })
          .join(", ")}.`,
      );
    const floor = s.floor?.cpu.length ? medianAndSpread(s.floor.cpu).median : undefined;
    const floorWarm = s.floor?.cpuWarm.length ? medianAndSpread(s.floor.cpuWarm).median : undefined;
    if (floor !== undefined)
      parts.push(
        `The work floor, the three services' cores in one process doing each order's real work with no transport, took ${round2(floor)} ms per order${floorWarm === undefined ? "" : ` (${round2(floorWarm)} ms at the warm rate)`}: what neither mode can go below.`,
      );
    for (const m of ["grpc", "nats"] as const) {
      const b = cpuBreakdown(s, m);
      if (b)
        parts.push(
          `At ${report.settings.warmRate}/s, ${MODE_NAME[m]}'s ${b.total} ms per order split into work ${b.work}, transport ${b.transport}${b.broker > 0 ? ` and its broker ${b.broker}` : ""} (the bare chain${SCALED_WORDS[m]}), and glue ${b.glue}: what joins the transport to the work (handlers, encoding, metadata, event-loop turns; npm run profile ranks them).`,
        );
    }
    return parts;
  },
  verdict(r, s, report) {
    if (!r) return "not run";
    const l = r.load;
    if (!l) return "not measured";
    const wait = WAITED[r.mode](l);
    const f = report.findings.find((x) => x.id === VS_BARE[r.mode]);
    const cpu = r.cpu ? `; ${cpuText(r.cpu.total, r.cpu.broker)} CPU per order${f ? ` (${f.estimate}× its bare chain, ${f.low}–${f.high}×)` : ""}` : "";
    return `${wait}${cpu}`;
  },
  keyFigure: (r) => (r.cpu ? `cpu ${cpuText(r.cpu.total, r.cpu.broker)} per order` : ""),
  charts(s, report) {
    const loaded = s.runs.filter((r) => r.load);
    const cats = ["accept p50", "accept p99", "complete p50", "complete p90", "complete p99"];
    const values = (r: ModeRun) => [r.load!.accept.p50, r.load!.accept.p99, r.load!.complete.p50, r.load!.complete.p90, r.load!.complete.p99];
    const bars = [
      ...loaded.map((r) => ({ name: MODE_NAME[r.mode], color: COLOR[r.mode], values: values(r) })),
      ...(s.raw ?? []).filter((r) => r.load).map((r) => ({ name: `bare ${MODE_NAME[r.mode]}`, color: RAW_COLOR[r.mode], values: values(r) })),
    ];
    const modes = (["grpc", "nats"] as const).filter((m) => cpuBreakdown(s, m));
    const parts = (["work", "transport", "broker", "glue"] as const).map((part, i) => ({
      name: part,
      color: ["#2b8a3e", "#868e96", "#74c0fc", "#e8590c"][i]!,
      values: modes.map((m) => cpuBreakdown(s, m)![part]),
    }));
    return [
      barChart("Latency percentiles at the baseline rate (ms)", "milliseconds", cats, bars),
      timelineChart("Completions over time at the baseline rate", loaded),
      ...(modes.length > 0
        ? [
            stackedBarChart(
              `Where one order's CPU goes at ${report.settings.warmRate} orders/s (ms)`,
              "CPU ms per order",
              modes.map((m) => MODE_NAME[m]),
              parts,
            ),
          ]
        : []),
    ];
  },
  tables: (s) => [cpuTable(s, "CPU ms per order at the baseline rate, by process (median round)")].filter((t) => t !== undefined),
  summarize(s, summary) {
    const floorOf = (values: number[] | undefined) => (values && values.length > 0 ? round2(medianAndSpread(values).median) : null);
    summary.floor = { cpuMsPerOrder: floorOf(s.floor?.cpu), cpuMsPerOrderWarm: floorOf(s.floor?.cpuWarm) };
    const put = (id: Exclude<SystemId, "floor">, r: ModeRun | undefined) => {
      const target = summary[id];
      if (!r?.cpu) return;
      target.cpuMsPerOrder = r.cpu.total;
      target.brokerCpuMsPerOrder = r.cpu.broker;
      target.completeP50Ms = r.load?.complete.p50 ?? null;
      const warm = r.figures.cpuMsPerOrderWarm;
      const warmBroker = r.figures.brokerCpuMsPerOrderWarm;
      target.cpuMsPerOrderWarm = typeof warm === "number" ? warm : null;
      target.brokerCpuMsPerOrderWarm = typeof warmBroker === "number" ? warmBroker : null;
    };
    for (const m of ["grpc", "nats"] as const) {
      put(m, runOf(s, m));
      put(RAW_OF[m], rawRunOf(s, m));
    }
  },
  findings,
};
