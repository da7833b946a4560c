import type { Profile } from "../settings.js";
import { withBroker } from "../../testbed/stack/start-stack.js";
import { sampleQueues } from "../systems/sampler.js";
import type { ModeRun, ScenarioResult } from "../results.js";
import type { LabContext } from "../context.js";
import { withoutOrders } from "../../testbed/load/load-generator.js";
import { withSession } from "../systems/session.js";
import { outstanding, COLOR, queueCharts, timelineChart } from "../report/charts.js";
import { figureOf, keptText, ms, show, shown } from "../report/format.js";
import { MODE_NAME, runOf, type Mode } from "../results.js";
import { lineChart, type Series } from "../report/svg-charts.js";
import { baseline } from "./baseline.js";
import { NOTHING, resultOf, type Scenario } from "./scenario.js";

/** Each mode's limit on work in flight: a server's concurrent calls, or a consumer's unacknowledged messages. */
const LIMIT_VARIABLE: Record<Mode, string> = { grpc: "GRPC_MAX_IN_FLIGHT", nats: "NATS_MAX_ACK_PENDING" };

/**
 * This scenario's knobs per profile (results.json keeps them under the scenario's settings): the
 * offered rate and how long; overloadLimit is gRPC's GRPC_MAX_IN_FLIGHT of each server and NATS's
 * NATS_MAX_ACK_PENDING of each consumer; overloadDeadlineMs the client's deadline.
 */
export const OVERLOAD_SETTINGS = {
  quick: { overloadRate: 1_000, overloadMs: 1_500, overloadLimit: 32, overloadDeadlineMs: 2_000 },
  short: { overloadRate: 1_500, overloadMs: 3_000, overloadLimit: 32, overloadDeadlineMs: 2_000 },
  full: { overloadRate: 1_500, overloadMs: 10_000, overloadLimit: 32, overloadDeadlineMs: 2_000 },
} as const satisfies Record<Profile, object>;

async function run(ctx: LabContext): Promise<ScenarioResult> {
  const s = { ...ctx.settings, ...OVERLOAD_SETTINGS[ctx.settings.profile] };
  const runs: ModeRun[] = [];
  for (const mode of ctx.modes) {
    const env: Record<string, string> = { [LIMIT_VARIABLE[mode]]: String(s.overloadLimit) };
    runs.push(
      await withSession(ctx, "overload", mode, { env, deadlineMs: s.overloadDeadlineMs }, async (x) => {
        const t0 = performance.now();
        const sampler = withBroker(x.stack) ? sampleQueues(await x.stack.natsConnection(), t0) : undefined;
        const r = await x.load({ rate: s.overloadRate, durationMs: s.overloadMs, startAt: t0, drainTimeoutMs: s.drainTimeoutMs * 2 });
        const queue = await sampler?.stop();
        const lastCompletion = Math.max(0, ...r.orders.map((o) => o.completedAt ?? 0));
        const lastSend = Math.max(0, ...r.orders.map((o) => o.intendedAt));
        return {
          mode,
          load: withoutOrders(r),
          audit: x.audit(r.orders),
          queue,
          marks: [{ t: lastSend, label: "last send" }],
          figures: {
            limit: s.overloadLimit,
            resourceExhausted: r.errors.RESOURCE_EXHAUSTED ?? 0,
            deadlineExceeded: r.errors.DEADLINE_EXCEEDED ?? 0,
            ...(queue
              ? { maxBacklog: Math.max(0, ...queue.map((q) => q.backlog)), maxConsumerAckPending: Math.max(0, ...queue.map((q) => q.maxConsumerAckPending)) }
              : {}),
            drainAfterLastSendMs: lastCompletion > lastSend ? Math.round(lastCompletion - lastSend) : 0,
          },
        };
      }),
    );
  }
  return resultOf(overload, runs);
}

export const overload: Scenario = {
  ...NOTHING,
  knobs: OVERLOAD_SETTINGS,
  id: "overload",
  title: "Overload: offered rate well above capacity",
  claim: "A server is not overloaded by surplus requests in the asynchronous model: it takes what it can, the rest stays in the queue.",
  figureLabels: {
    limit: "in-flight limit per server or consumer",
    resourceExhausted: "shed with RESOURCE_EXHAUSTED",
    deadlineExceeded: "past the client's deadline",
    maxBacklog: "most messages waiting in the streams",
    maxConsumerAckPending: "most messages in flight at one consumer",
    drainAfterLastSendMs: "drained after the last send (ms)",
  },
  run,
  explain(s, report) {
    const g = runOf(s, "grpc");
    const x = runOf(s, "nats");
    const f = (mode: Mode, k: string) => figureOf(runOf(s, mode))(k);
    const base = report.scenarios.find((r) => r.id === baseline.id);
    const growth = (m: Mode) => {
      const before = runOf(base, m)?.load?.complete.p99;
      return before ? ` (${ms(before)} at the baseline rate)` : "";
    };
    const st = { ...report.settings, ...OVERLOAD_SETTINGS[report.settings.profile] };
    const out: string[] = [];
    if (g)
      out.push(
        `Offered ${st.overloadRate} orders/s with ${st.overloadLimit} calls in flight allowed per server, gRPC shed ${f("grpc", "resourceExhausted")} orders with RESOURCE_EXHAUSTED and ${f("grpc", "deadlineExceeded")} hit the ${st.overloadDeadlineMs} ms deadline; the completion p99 of the orders it took was ${ms(g.load?.complete.p99)}${growth("grpc")}.`,
      );
    if (x)
      out.push(
        `NATS kept in-flight work at most ${f("nats", "maxConsumerAckPending")} per consumer (max_ack_pending ${st.overloadLimit}) while up to ${f("nats", "maxBacklog")} messages waited in the streams; ${shown(x.audit?.lost)} orders were lost and the backlog drained ${ms(Number(x.figures.drainAfterLastSendMs))} after the last send; completion p99 was ${ms(x.load?.complete.p99)}${growth("nats")}.`,
      );
    return out;
  },
  verdict(r) {
    if (!r) return "not run";
    const f = figureOf(r);
    const kept = keptText(r.audit);
    return r.figures.maxBacklog === undefined
      ? `shed ${f("resourceExhausted")} orders (RESOURCE_EXHAUSTED), ${f("deadlineExceeded")} past the deadline; ${kept}`
      : `took every order: at most ${f("maxConsumerAckPending")} in flight per consumer, up to ${f("maxBacklog")} waiting; ${kept}`;
  },
  keyFigure: (r) =>
    r.figures.maxBacklog === undefined
      ? `shed ${show(r.figures.resourceExhausted)}, deadline ${show(r.figures.deadlineExceeded)}`
      : `backlog max ${show(r.figures.maxBacklog)}, in flight max ${show(r.figures.maxConsumerAckPending)}`,
  charts(s, report) {
    const loaded = s.runs.filter((r) => r.load);
    const client: Series[] = loaded.map((r) => ({
      name: `${MODE_NAME[r.mode]} waiting for an answer`,
      color: COLOR[r.mode],
      points: outstanding(r.load!.timeline),
    }));
    return [
      timelineChart("Overload: completions and errors over time", loaded),
      lineChart("Overload: requests the client is still waiting on", "seconds since start", "requests", client),
      ...queueCharts("NATS under overload: the backlog grows, then drains", runOf(s, "nats"), OVERLOAD_SETTINGS[report.settings.profile].overloadLimit),
    ];
  },
};
