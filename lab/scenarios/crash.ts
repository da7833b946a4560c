import type { Profile } from "../settings.js";
import type { ModeRun, ScenarioResult } from "../results.js";
import type { LabContext } from "../context.js";
import { withoutOrders } from "../../testbed/load/load-generator.js";
import { outage } from "../../testbed/stack/outage.js";
import { Timeline } from "../../testbed/timeline.js";
import { withSession } from "../systems/session.js";
import { timelineChart } from "../report/charts.js";
import { figureOf, keptText, show } from "../report/format.js";
import { type Mode } from "../results.js";
import { NOTHING, OUTCOME_LABELS, resultOf, type Scenario } from "./scenario.js";
import { CAPABILITIES } from "../../testbed/stack/capabilities.js";

/** This scenario's knobs per profile (results.json keeps them under the scenario's settings). */
export const CRASH_SETTINGS = {
  quick: { crashRate: 100, crashRunMs: 3_500, crashAtMs: 1_200, crashDownMs: 500 },
  short: { crashRate: 100, crashRunMs: 6_000, crashAtMs: 2_000, crashDownMs: 1_000 },
  full: { crashRate: 100, crashRunMs: 20_000, crashAtMs: 8_000, crashDownMs: 2_000 },
} as const satisfies Record<Profile, object>;

async function run(ctx: LabContext): Promise<ScenarioResult> {
  const s = { ...ctx.settings, ...CRASH_SETTINGS[ctx.settings.profile] };
  const runs: ModeRun[] = [];
  for (const mode of ctx.modes) {
    runs.push(
      await withSession(ctx, "crash", mode, {}, async (x) => {
        const timeline = new Timeline().window(
          outage(x.stack.control, "order", "SIGKILL", { atMs: s.crashAtMs, forMs: s.crashDownMs }, { down: "order service SIGKILL", up: "restarted" }),
        );
        const { result: r, marks } = await x.loadThrough(timeline, { rate: s.crashRate, durationMs: s.crashRunMs, drainTimeoutMs: s.drainTimeoutMs });
        // With no broker to keep it, what failed is the client's to send again.
        const resentCompleted = CAPABILITIES[mode].hasBroker ? 0 : await x.resend(r.orders);
        const a = x.audit(r.orders);
        return {
          mode,
          load: withoutOrders(r),
          audit: a,
          marks,
          figures: {
            failedToClient: r.orders.filter((o) => o.error).length,
            resentCompleted,
            completed: a.completed,
            lost: a.lost,
            duplicated: a.duplicateInvoices + a.duplicateEmails,
          },
        };
      }),
    );
  }
  return resultOf(crash, runs);
}

/** What the report says of each style's run, from its figures. */
const SAYS: Record<Mode, { explain(f: (k: string) => string): string; verdict(f: (k: string) => string): string }> = {
  grpc: {
    explain: (f) =>
      `Killing the gRPC order service failed ${f("failedToClient")} calls to the client; re-sending them completed ${f("resentCompleted")}; duplicates: ${f("duplicated")}.`,
    verdict: (f) => `${f("failedToClient")} calls failed to the client; ${f("resentCompleted")} completed when re-sent`,
  },
  nats: {
    explain: (f) =>
      `Killing the NATS order service lost ${f("lost")} orders: unacknowledged messages were redelivered after restart; ${f("completed")} completed, duplicates: ${f("duplicated")}.`,
    verdict: (f) => `${f("completed")} completed after the restart with nothing re-sent`,
  },
};

export const crash: Scenario = {
  ...NOTHING,
  knobs: CRASH_SETTINGS,
  id: "crash",
  title: "Crash: SIGKILL of the order service mid-processing",
  claim: "A client must resend a request that failed; a broker keeps it until it is processed.",
  figureLabels: {
    failedToClient: "failed to the client",
    ...OUTCOME_LABELS,
  },
  run,
  explain(s) {
    return s.runs.map((r) => SAYS[r.mode].explain(figureOf(r)));
  },
  verdict(r) {
    if (!r) return "not run";
    return `${SAYS[r.mode].verdict(figureOf(r))}; ${keptText(r.audit)}`;
  },
  keyFigure: (r) => `failed ${show(r.figures.failedToClient)}, resent ok ${show(r.figures.resentCompleted)}`,
  charts: (s) => [
    timelineChart(
      "Order service killed and restarted: completions and errors",
      s.runs.filter((r) => r.load),
    ),
  ],
};
