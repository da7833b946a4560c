import type { Profile } from "../settings.js";
import { Timeline } from "../../testbed/timeline.js";
import { queueCharts, timelineChart } from "../report/charts.js";
import { figureOf, keptText, ms, show } from "../report/format.js";
import { runOf, type Mode, type ModeRun, type ScenarioResult } from "../results.js";
import type { LabContext } from "../context.js";
import { longestCall, withoutOrders } from "../../testbed/load/load-generator.js";
import { loggedAt } from "../../testbed/process-group.js";
import { withSession } from "../systems/session.js";
import { NOTHING, OUTCOME_LABELS, resultOf, type Scenario } from "./scenario.js";
import { CAPABILITIES } from "../../testbed/stack/capabilities.js";

/** This scenario's knobs per profile (results.json keeps them under the scenario's settings). */
/** What the audit found of one mode's run under a cut link. */
export interface CutLinkSummary {
  lost: number;
  duplicated: number;
  falseSuccess: number;
}

declare module "../results.js" {
  interface ResultsSummary {
    /** The cut-link scenario: what the audit found, and (gRPC) how long the longest call took against the client's deadline. */
    cutLink?: { grpc?: CutLinkSummary & { longestCallMs: number; deadlineMs: number }; nats?: CutLinkSummary };
  }
}

export const CUT_LINK_SETTINGS = {
  quick: { cutLinkRate: 50, cutLinkRunMs: 9_000, cutLinkAtMs: 1_500, cutLinkMs: 4_000, cutLinkDeadlineMs: 3_000 },
  short: { cutLinkRate: 50, cutLinkRunMs: 16_000, cutLinkAtMs: 3_000, cutLinkMs: 10_000, cutLinkDeadlineMs: 3_000 },
  full: { cutLinkRate: 50, cutLinkRunMs: 30_000, cutLinkAtMs: 8_000, cutLinkMs: 10_000, cutLinkDeadlineMs: 3_000 },
} as const satisfies Record<Profile, object>;

/** The hop each mode loses: the order service's calls to billing, or billing's connection to its broker. */
const CUT: Record<Mode, { hop: string; words: string }> = {
  grpc: { hop: "order-billing", words: "the order service ↔ billing link" },
  nats: { hop: "billing-broker", words: "billing ↔ its broker link" },
};

/**
 * Under load, one link of the mode's path goes silent for a while (every packet dropped both
 * ways, no reset), then heals. gRPC: the order service's calls to billing wait out their deadline
 * and fail to the client, which re-sends them after the heal; NATS: billing's deliveries wait in
 * the broker and are redelivered after the heal. Then the audit.
 */
async function run(ctx: LabContext): Promise<ScenarioResult> {
  const s = { ...ctx.settings, ...CUT_LINK_SETTINGS[ctx.settings.profile] };
  const runs: ModeRun[] = [];
  for (const mode of ctx.modes) {
    runs.push(
      await withSession(ctx, "cut-link", mode, { links: { delayMs: 0 }, deadlineMs: s.cutLinkDeadlineMs }, async (x) => {
        const link = x.stack.link(CUT[mode].hop);
        let cutWall = 0;
        const timeline = new Timeline().window({
          atMs: s.cutLinkAtMs,
          forMs: s.cutLinkMs,
          label: "link cut",
          endLabel: "healed",
          apply: () => {
            link.cut();
            cutWall = Date.now();
          },
          undo: () => link.heal(),
        });
        const {
          result: r,
          queue,
          marks,
        } = await x.loadThrough(timeline, { rate: s.cutLinkRate, durationMs: s.cutLinkRunMs, drainTimeoutMs: s.drainTimeoutMs });
        const cutAt = timeline.appliedAt("link cut");
        const healedAt = timeline.undoneAt("link cut") ?? 0;
        const resentCompleted = await x.resend(r.orders);
        const a = x.audit(r.orders);
        // A caller with no broker between it and billing notices billing unreachable itself.
        const unreachable = !CAPABILITIES[mode].hasBroker ? loggedAt(x.stack.options.logFile, "billing unreachable", cutWall) : undefined;
        const afterHeal = r.orders.filter((o) => o.intendedAt >= healedAt && o.acceptedAt !== undefined).map((o) => o.acceptedAt! - healedAt);
        return {
          mode,
          load: withoutOrders(r),
          audit: a,
          queue,
          marks,
          figures: {
            cutMs: Math.round(healedAt - (cutAt ?? healedAt)),
            failedToClient: r.orders.filter((o) => o.error).length,
            longestCallMs: longestCall(r.orders),
            deadlineMs: s.cutLinkDeadlineMs,
            firstAnswerAfterHealMs: afterHeal.length > 0 ? Math.round(Math.min(...afterHeal)) : -1,
            maxBacklog: queue ? Math.max(0, ...queue.map((q) => q.backlog)) : 0,
            resentCompleted,
            completed: a.completed,
            lost: a.lost,
            duplicated: a.duplicateInvoices + a.duplicateEmails,
            falseSuccess: a.falseSuccess,
            ...(unreachable !== undefined ? { unreachableAfterMs: unreachable - cutWall } : {}),
          },
        };
      }),
    );
  }
  return resultOf(cutLink, runs);
}

/** What the report says of each style's run, from its figures. */
const SAYS: Record<Mode, { explain(f: (k: string) => string, r: ModeRun): string; verdict(f: (k: string) => string, r: ModeRun): string }> = {
  grpc: {
    explain: (f, r) =>
      `gRPC, ${CUT.grpc.words} cut for ${f("cutMs")} ms: ${f("failedToClient")} calls failed to the client, the longest after ${f("longestCallMs")} ms against a ${f("deadlineMs")} ms deadline${r.figures.unreachableAfterMs !== undefined ? `; the order service logged billing unreachable ${f("unreachableAfterMs")} ms after the cut (keepalive)` : ""}; re-sent after the heal, ${f("resentCompleted")} completed; ${keptText(r.audit)}.`,
    verdict: (f, r) =>
      `${f("failedToClient")} failed, longest call ${ms(Number(r.figures.longestCallMs))}; ${f("resentCompleted")} completed when re-sent; ${keptText(r.audit)}`,
  },
  nats: {
    explain: (f, r) =>
      `NATS, ${CUT.nats.words} cut for ${f("cutMs")} ms: ${f("failedToClient")} placements failed; the backlog rose to ${f("maxBacklog")} messages and drained after the heal with nothing re-sent; ${keptText(r.audit)}.`,
    verdict: (f, r) => `backlog up to ${f("maxBacklog")}, ${f("failedToClient")} failed; ${keptText(r.audit)}`,
  },
};

export const cutLink: Scenario = {
  ...NOTHING,
  knobs: CUT_LINK_SETTINGS,
  id: "cut-link",
  title: "Cut link: one hop goes silent under load, then heals",
  claim: "A synchronous caller hangs on a silent network until its deadline and must send again; a broker keeps the work until the consumer is reachable.",
  figureLabels: {
    cutMs: "how long the link was cut (ms)",
    failedToClient: "failed to the client",
    longestCallMs: "longest call, success or error (ms)",
    deadlineMs: "the client's deadline (ms)",
    unreachableAfterMs: "the order service logged billing unreachable, after the cut (ms)",
    firstAnswerAfterHealMs: "first answer to an order sent after the heal (ms after it)",
    maxBacklog: "largest backlog in the work streams",
    ...OUTCOME_LABELS,
    falseSuccess: "reported done but not done",
  },
  run,
  explain: (s) => s.runs.map((r) => SAYS[r.mode].explain(figureOf(r), r)),
  verdict: (r) => (r ? SAYS[r.mode].verdict(figureOf(r), r) : "not run"),
  keyFigure: (r) => `failed ${show(r.figures.failedToClient)}, longest call ${show(r.figures.longestCallMs)} ms`,
  charts: (s) => [
    timelineChart(
      "A link cut under load, then healed: completions and errors",
      s.runs.filter((r) => r.load),
    ),
    ...queueCharts(`NATS: backlog while ${CUT.nats.words} was cut`, runOf(s, "nats")),
  ],
  summarize(s, summary) {
    const of = (mode: Mode) => {
      const r = runOf(s, mode);
      return r && { lost: Number(r.figures.lost), duplicated: Number(r.figures.duplicated), falseSuccess: Number(r.figures.falseSuccess) };
    };
    const grpc = of("grpc");
    const nats = of("nats");
    const g = runOf(s, "grpc");
    summary.cutLink = {
      ...(grpc && g ? { grpc: { ...grpc, longestCallMs: Number(g.figures.longestCallMs), deadlineMs: Number(g.figures.deadlineMs) } } : {}),
      ...(nats ? { nats } : {}),
    };
  },
};
