import type { Profile } from "../settings.js";
import { timelineChart } from "../report/charts.js";
import { figureOf, keptText, show } from "../report/format.js";
import { runOf, type ModeRun, type ScenarioResult } from "../results.js";
import type { LabContext } from "../context.js";
import { withoutOrders, type OrderOutcome } from "../../testbed/load/load-generator.js";
import { seededRandom } from "../../testbed/load/schedule.js";
import { withSession } from "../systems/session.js";
import { Timeline } from "../../testbed/timeline.js";
import { streamLeaderSeenAt } from "../../testbed/nats-cluster.js";
import { LabNet, labNetUnavailable } from "../../testbed/net/lab-net.js";
import { STREAMS } from "../../services/nats/topology.js";
import { OrderStatus } from "../../services/gen/shop/v1/order.js";
import { Ledger } from "../../testbed/audit/ledger.js";
import { NOTHING, OUTCOME_LABELS, resultOf, type Scenario } from "./scenario.js";

/** This scenario's knobs per profile (results.json keeps them under the scenario's settings). */
export const PARTITION_SETTINGS = {
  quick: { partitionRate: 50, partitionAtMs: 1_500, partitionMs: 8_000 },
  short: { partitionRate: 50, partitionAtMs: 3_000, partitionMs: 12_000 },
  full: { partitionRate: 50, partitionAtMs: 3_000, partitionMs: 20_000 },
} as const satisfies Record<Profile, object>;

const NODES = ["n1", "n2", "n3"];
/** How long after the last heal the scenario waits for every order to complete before its audit. */
const RECOVERY_MS = 180_000;

/** The leader the nodes of `among` agree exists, other than `not`; polled until `deadline` (performance.now()). */
async function leaderAmong(urls: readonly string[], not: string | undefined, deadline: number): Promise<string | undefined> {
  while (performance.now() < deadline) {
    for (const url of urls) {
      const l = await streamLeaderSeenAt(url, STREAMS.orders);
      if (l && l !== not) return l;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return undefined;
}

const during = (orders: readonly OrderOutcome[], from: number, to: number) =>
  orders.filter((o) => o.acceptedAt !== undefined && o.acceptedAt >= from && o.acceptedAt < to).length;

/**
 * A 3-node JetStream cluster, each node on its own host of the lab network, streams at 3
 * replicas, the services and the client on the main host under load. Two partitions: the ORDERS
 * leader cut from its peers, then a node drawn at random (the seed is printed for a replay) cut
 * from everyone, the services and the client included. Root only; otherwise it says why.
 */
async function run(ctx: LabContext): Promise<ScenarioResult> {
  const s = { ...ctx.settings, ...PARTITION_SETTINGS[ctx.settings.profile] };
  if (!ctx.modes.includes("nats")) return resultOf(partition, []);
  const why = labNetUnavailable();
  if (why) return resultOf(partition, [{ mode: "nats", figures: { skipped: why } }]);
  // The run's lab network under --net (the services on hosts of their own too), else one of its own.
  const net = ctx.net ?? LabNet.create(NODES);
  try {
    const measured = await withSession(ctx, "partition", "nats", { cluster: 3, net }, async (x) => {
      const urlOf = (node: string) => x.stack.brokerNodes().get(node)!.url;
      const random = seededRandom(s.seed);
      const figures: Record<string, number | string> = { seed: s.seed };
      // The two partitions on the timeline: the ORDERS leader cut from its peers, then a node drawn
      // from the seed cut from everyone; each held partitionMs, the time to a new leader measured from its cut.
      let leader = "";
      let victim = "";
      const timeline = new Timeline()
        .window({
          atMs: s.partitionAtMs,
          forMs: s.partitionMs,
          label: "the leader cut from its peers",
          endLabel: "healed",
          async apply() {
            const found = await leaderAmong(NODES.map(urlOf), undefined, performance.now() + 30_000);
            if (!found) throw new Error("ORDERS had no leader before the first partition");
            leader = found;
            const peers = NODES.filter((n) => n !== leader);
            const cut = performance.now();
            net.cut(leader, peers);
            const next = await leaderAmong(peers.map(urlOf), leader, cut + s.partitionMs);
            figures.leaderlessMsFirst = next ? Math.round(performance.now() - cut) : `more than ${s.partitionMs}`;
            figures.victimFirst = leader;
          },
          undo: () => net.heal(),
        })
        .window({
          atMs: s.partitionAtMs * 2 + s.partitionMs,
          forMs: s.partitionMs,
          label: "a node cut from everyone",
          endLabel: "healed again",
          async apply() {
            victim = NODES[Math.floor(random() * NODES.length)]!;
            const cut = performance.now();
            net.isolate(victim);
            const rest = NODES.filter((n) => n !== victim);
            const other = await leaderAmong(rest.map(urlOf), victim, cut + s.partitionMs);
            figures.leaderlessMsSecond = other ? Math.round(performance.now() - cut) : `more than ${s.partitionMs}`;
            figures.victimSecond = victim;
          },
          undo: () => net.heal(),
        });
      const total = s.partitionAtMs * 3 + s.partitionMs * 2;
      const { result: r, marks: timelineMarks } = await x.loadThrough(timeline, { rate: s.partitionRate, durationMs: total, drainTimeoutMs: s.drainTimeoutMs });
      const span = (label: string) => ({ from: timeline.appliedAt(label) ?? 0, to: timeline.undoneAt(label) ?? 0 });
      const windows = { first: span("the leader cut from its peers"), second: span("a node cut from everyone") };
      // The marks name the nodes the seed and the cluster chose.
      const named: Record<string, string> = {
        "the leader cut from its peers": `${leader} (leader) cut from its peers`,
        "a node cut from everyone": `${victim} cut from everyone`,
      };
      const marks = timelineMarks.map((m) => ({ ...m, label: named[m.label] ?? m.label }));
      const resentCompleted = await x.resend(r.orders);
      // Until every acknowledged order has completed (or a deadline): the consumers on the far side
      // notice their lost connections by their pings, and redeliveries wait out the ack wait.
      const healedAt = performance.now();
      const ledger = new Ledger(x.stack.dataDir);
      let recoveredMs: number | string = `more than ${RECOVERY_MS / 1000} s`;
      try {
        const accepted = r.orders.filter((o) => o.acceptedAt !== undefined || o.error).map((o) => o.orderId);
        while (performance.now() - healedAt < RECOVERY_MS) {
          const orders = ledger.snapshot().orders;
          if (accepted.every((id) => orders.get(id) === OrderStatus.ORDER_STATUS_COMPLETED)) {
            recoveredMs = Math.round(performance.now() - timeline.t0 - windows.second.to);
            break;
          }
          await new Promise((r) => setTimeout(r, 500));
        }
      } finally {
        ledger.close();
      }
      const a = x.audit(r.orders);
      return {
        mode: "nats" as const,
        load: withoutOrders(r),
        audit: a,
        marks,
        figures: {
          ...figures,
          ackedDuringFirst: during(r.orders, windows.first.from, windows.first.to),
          ackedDuringSecond: during(r.orders, windows.second.from, windows.second.to),
          failedToClient: r.orders.filter((o) => o.error).length,
          recoveredMs,
          resentCompleted,
          completed: a.completed,
          lost: a.lost,
          duplicated: a.duplicateInvoices + a.duplicateEmails,
        },
      } satisfies ModeRun;
    });
    return resultOf(partition, [measured]);
  } finally {
    if (net !== ctx.net) net.close();
  }
}

export const partition: Scenario = {
  ...NOTHING,
  knobs: PARTITION_SETTINGS,
  id: "partition",
  onlyByName: true,
  title: "Partition: a JetStream cluster cut apart under load",
  claim: "A replicated broker keeps what it acknowledged through a partition: the majority elects a new leader and goes on.",
  figureLabels: {
    skipped: "skipped",
    seed: "seed of the random victim (--seed replays it)",
    victimFirst: "first partition: the ORDERS leader, cut from its peers",
    leaderlessMsFirst: "first partition: ms until the majority had a new leader",
    ackedDuringFirst: "orders acknowledged during the first partition",
    victimSecond: "second partition: the node cut from everyone",
    leaderlessMsSecond: "second partition: ms until a leader other than it",
    ackedDuringSecond: "orders acknowledged during the second partition",
    failedToClient: "refused to the client",
    recoveredMs: "ms from the last heal until every order had completed",
    ...OUTCOME_LABELS,
  },
  run,
  explain(s) {
    const r = runOf(s, "nats");
    if (!r) return ["NATS did not run."];
    const f = figureOf(r);
    if (r.figures.skipped !== undefined) return [`Not run: ${f("skipped")}.`];
    return [
      `Three nodes, each on its own host. ${f("victimFirst")} led ORDERS and was cut from its peers: the majority had a new leader after ${f("leaderlessMsFirst")} ms, and ${f("ackedDuringFirst")} orders were acknowledged during the partition. Then ${f("victimSecond")} (drawn with seed ${f("seed")}) was cut from everyone, the services and the client included: a leader other than it after ${f("leaderlessMsSecond")} ms, ${f("ackedDuringSecond")} orders acknowledged meanwhile. The client's refused placements (${f("failedToClient")}) were re-sent with the same id: ${f("resentCompleted")} completed. Every order had completed ${f("recoveredMs")} ms after the last heal. ${keptText(r.audit)}.`,
    ];
  },
  verdict(r) {
    if (!r) return "not applicable: no broker to partition";
    if (r.figures.skipped !== undefined) return `skipped: ${show(r.figures.skipped)}`;
    const f = figureOf(r);
    return `new leader after ${f("leaderlessMsFirst")} / ${f("leaderlessMsSecond")} ms; ${keptText(r.audit)}`;
  },
  keyFigure: (r) =>
    r.figures.skipped !== undefined ? "skipped" : `leaderless ${show(r.figures.leaderlessMsFirst)} / ${show(r.figures.leaderlessMsSecond)} ms`,
  charts: (s) => [
    timelineChart(
      "Two partitions of the cluster under load: completions and refusals",
      s.runs.filter((r) => r.load),
    ),
  ],
};
