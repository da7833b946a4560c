import type { Profile } from "../settings.js";
import { freePort } from "../../testbed/free-port.js";
import type { AnyProcessStack } from "../../testbed/stack/start-stack.js";
import { Timeline } from "../../testbed/timeline.js";
import type { ModeRun, ScenarioResult } from "../results.js";
import type { LabContext } from "../context.js";
import { withoutOrders } from "../../testbed/load/load-generator.js";
import { withSession } from "../systems/session.js";
import { timelineChart } from "../report/charts.js";
import { figureOf, show } from "../report/format.js";
import { MODE_NAME, type Mode } from "../results.js";
import { unpairedRatioFinding } from "../stats.js";
import { NOTHING, resultOf, type Scenario } from "./scenario.js";

/**
 * This scenario's knobs per profile (results.json keeps them under the scenario's settings):
 * billing's stand-in provider latency and how many at once per process (4 / 50 ms = 80 invoices/s
 * a process; two make 160, so 120/s is too much for one), the offered rate, how long, and when
 * billing-2 starts. gRPC's change is a restart of the order service, which first finishes the calls
 * it has in flight to the overloaded billing (3 to 6 s measured), so the run goes on well past it.
 */
export const SCALE_OUT_SETTINGS = {
  quick: { scaleOutProviderDelayMs: 50, scaleOutProviderConcurrency: 4, scaleOutRate: 120, scaleOutMs: 8_000, scaleOutAtMs: 2_500 },
  short: { scaleOutProviderDelayMs: 50, scaleOutProviderConcurrency: 4, scaleOutRate: 120, scaleOutMs: 14_000, scaleOutAtMs: 4_000 },
  full: { scaleOutProviderDelayMs: 50, scaleOutProviderConcurrency: 4, scaleOutRate: 120, scaleOutMs: 30_000, scaleOutAtMs: 10_000 },
} as const satisfies Record<Profile, object>;
type ScaleOutKnobs = (typeof SCALE_OUT_SETTINGS)[Profile];

/** How many invoices a billing process has made, from its /metrics; undefined while it does not answer. */
async function invoicesMade(port: number): Promise<number | undefined> {
  try {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const line = text.split("\n").find((l) => l.startsWith("shop_step_duration_seconds_count") && l.includes('step="invoice"'));
    return line ? Number(line.trim().split(/\s+/).at(-1)) : 0;
  } catch {
    return undefined;
  }
}

/**
 * The second billing replica, started when the timeline says. NATS: it joins the durable consumer
 * and nobody else is told. gRPC: it listens on a port of its own that the running order service does
 * not know, so the order service is restarted with the longer address list, which is what a
 * synchronous caller needs to use a new server. Then, until `untilMs` of the clock at most, it waits
 * for billing-2's first invoice; each step is marked on the timeline.
 */
function scaleOutStep(stack: AnyProcessStack, timeline: Timeline, untilMs: number) {
  const times = { startedAt: 0, reconfiguredAt: 0, tookTrafficAt: 0 };
  const apply = async () => {
    const metricsPort = await freePort();
    const address = await stack.startReplica("billing", "billing-2", { METRICS_PORT: String(metricsPort) });
    times.startedAt = timeline.mark("billing-2 started");
    if (address) {
      // The order service learns of the replica only from its configuration: restart it with both addresses.
      const list = `${stack.envs.get("order")!.BILLING_SERVICE_ADDR},${address}`;
      await stack.control.stop("order", "SIGTERM");
      await stack.startService("order", { BILLING_SERVICE_ADDR: list });
      times.reconfiguredAt = timeline.mark("order service restarted with both addresses");
    }
    // Until billing-2 has made an invoice, or the run is over without it taking any (tookTrafficAt stays 0).
    while (performance.now() - timeline.t0 < untilMs) {
      if (((await invoicesMade(metricsPort)) ?? 0) > 0) {
        times.tookTrafficAt = timeline.mark("billing-2 took traffic");
        return;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  return { apply, times };
}

/** Completions in each whole second of [fromMs, toMs): the samples a gain's interval is drawn from. */
function perSecond(orders: Array<{ completedAt?: number }>, fromMs: number, toMs: number): number[] {
  const seconds = Math.floor((toMs - fromMs) / 1000);
  const counts = Array.from({ length: Math.max(0, seconds) }, () => 0);
  for (const o of orders) {
    if (o.completedAt === undefined || o.completedAt < fromMs) continue;
    const i = Math.floor((o.completedAt - fromMs) / 1000);
    if (i < counts.length) counts[i]!++;
  }
  return counts;
}

/** Completed orders per second over [fromMs, toMs) of the run. */
function rateBetween(orders: Array<{ completedAt?: number }>, fromMs: number, toMs: number): number {
  const n = orders.filter((o) => o.completedAt !== undefined && o.completedAt >= fromMs && o.completedAt < toMs).length;
  return toMs > fromMs ? Math.round((n / (toMs - fromMs)) * 10_000) / 10 : 0;
}

/**
 * Billing made the bottleneck (a payment provider's latency, a bounded number
 * at once per process), an offered rate above what one billing process
 * sustains, and a second billing process started midway.
 */
async function run(ctx: LabContext): Promise<ScenarioResult> {
  const s = { ...ctx.settings, ...SCALE_OUT_SETTINGS[ctx.settings.profile] };
  const env = {
    BILLING_PROVIDER_DELAY_MS: String(s.scaleOutProviderDelayMs),
    BILLING_PROVIDER_CONCURRENCY: String(s.scaleOutProviderConcurrency),
    // A billing process takes a bounded number of messages at once, so that what waits stays in the
    // stream for whichever replica is free, rather than queued inside one process.
    NATS_CONCURRENCY: String(s.scaleOutProviderConcurrency * 2),
  };
  const perReplica = Math.round((s.scaleOutProviderConcurrency * 1000) / s.scaleOutProviderDelayMs);
  const runs: ModeRun[] = [];
  for (const mode of ctx.modes) {
    runs.push(
      await withSession(ctx, "scale-out", mode, { env }, async (x) => {
        const timeline = new Timeline();
        const step = scaleOutStep(x.stack, timeline, s.scaleOutMs + s.drainTimeoutMs);
        timeline.at(s.scaleOutAtMs, "billing-2 starting", step.apply);
        const { result: r, marks } = await x.loadThrough(timeline, { rate: s.scaleOutRate, durationMs: s.scaleOutMs, drainTimeoutMs: s.drainTimeoutMs });
        const change = step.times;
        const failed = r.orders.filter((o) => o.error);
        const changing = r.orders.filter((o) => o.error && o.intendedAt >= s.scaleOutAtMs && o.intendedAt < (change.reconfiguredAt || change.tookTrafficAt));
        // After: from the moment billing-2 took work to the last completion (a backlog drains then too).
        const lastCompletion = Math.max(0, ...r.orders.map((o) => o.completedAt ?? 0));
        return {
          mode,
          load: withoutOrders(r),
          audit: x.audit(r.orders),
          marks,
          series: {
            completedPerSecondBefore: perSecond(r.orders, 1_000, s.scaleOutAtMs),
            completedPerSecondAfter: change.tookTrafficAt ? perSecond(r.orders, change.tookTrafficAt, lastCompletion + 1) : [],
          },
          figures: {
            offeredRate: s.scaleOutRate,
            onePerReplica: perReplica,
            completedPerSecBefore: rateBetween(r.orders, 1_000, s.scaleOutAtMs),
            completedPerSecAfter: change.tookTrafficAt ? rateBetween(r.orders, change.tookTrafficAt, lastCompletion + 1) : "not reached",
            replicaTookTrafficAfterMs: change.tookTrafficAt ? Math.round(change.tookTrafficAt - change.startedAt) : "not before the run ended",
            failedToClient: failed.length,
            failedWhileChanging: changing.length,
            configurationChanged: change.reconfiguredAt > 0 ? "order service restarted with the new address" : "none",
          },
        };
      }),
    );
  }
  return resultOf(scaleOut, runs);
}

/** What the report says of each style's run, from its figures and the scenario's knobs. */
const EXPLAIN: Record<Mode, (f: (k: string) => string, st: ScaleOutKnobs) => string> = {
  grpc: (f, st) =>
    `Billing was made the bottleneck (${st.scaleOutProviderDelayMs} ms per invoice, ${st.scaleOutProviderConcurrency} at once: about ${f("onePerReplica")} orders/s per process) under ${f("offeredRate")} orders/s. In gRPC mode the running order service could not use billing-2 until it was restarted with the new address: billing-2 took traffic ${f("replicaTookTrafficAfterMs")} ms after it started, ${f("failedWhileChanging")} orders failed to the client meanwhile, and completions went from ${f("completedPerSecBefore")} to ${f("completedPerSecAfter")} per second.`,
  nats: (f) =>
    `In NATS mode billing-2 joined the same durable consumer and took work ${f("replicaTookTrafficAfterMs")} ms after it started, with no configuration change anywhere; completions went from ${f("completedPerSecBefore")} to ${f("completedPerSecAfter")} per second.`,
};

export const scaleOut: Scenario = {
  ...NOTHING,
  knobs: SCALE_OUT_SETTINGS,
  id: "scale-out",
  title: "Scale-out: a second billing replica started midway",
  claim:
    "Synchronous: the client must know the address of each server, so a new server is used only once its callers are told. Asynchronous: a new consumer takes work from the queue at once; nobody else needs to know.",
  figureLabels: {
    offeredRate: "offered rate (orders/s)",
    onePerReplica: "what one billing process sustains (orders/s)",
    completedPerSecBefore: "completed per second before billing-2",
    completedPerSecAfter: "completed per second after billing-2 took traffic",
    replicaTookTrafficAfterMs: "billing-2 took traffic after its start (ms)",
    failedToClient: "failed to the client",
    failedWhileChanging: "failed to the client while the change was made",
    configurationChanged: "configuration changed",
  },
  run,
  explain(s, report) {
    const st = { ...report.settings, ...SCALE_OUT_SETTINGS[report.settings.profile] };
    const out = s.runs.map((r) => EXPLAIN[r.mode](figureOf(r), st));
    for (const gain of report.findings.filter((g) => g.id.startsWith("scale-out.gain.")))
      out.push(`${gain.label}, from the completions in each second: ${gain.text}.`);
    return out;
  },
  verdict(r) {
    if (!r) return "not run";
    const f = figureOf(r);
    return `${f("completedPerSecBefore")} → ${f("completedPerSecAfter")} completed/s; billing-2 took traffic after ${f("replicaTookTrafficAfterMs")} ms; configuration changed: ${f("configurationChanged")}; ${f("failedWhileChanging")} failed meanwhile`;
  },
  keyFigure: (r) =>
    `${show(r.figures.completedPerSecBefore)} → ${show(r.figures.completedPerSecAfter)}/s, new replica used after ${show(r.figures.replicaTookTrafficAfterMs)} ms`,
  charts: (s) => [
    timelineChart(
      "A second billing replica started midway: completions over time",
      s.runs.filter((r) => r.load),
    ),
  ],
  findings: (s) =>
    s.runs
      // An interval needs two seconds on each side at least (a short run may change too late for that).
      .filter((r) => (r.series?.completedPerSecondAfter?.length ?? 0) >= 2 && (r.series?.completedPerSecondBefore?.length ?? 0) >= 2)
      .map((r) =>
        unpairedRatioFinding(
          {
            id: `scale-out.gain.${r.mode}`,
            label: `Completions per second after billing-2 took traffic ÷ before, ${MODE_NAME[r.mode]}`,
            kind: "ratio",
            unit: "×",
            words: { higher: "the second replica added throughput", lower: "throughput fell" },
          },
          r.series!.completedPerSecondAfter!,
          r.series!.completedPerSecondBefore!,
        ),
      ),
};
