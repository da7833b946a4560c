import { shown, ms } from "../report/format.js";
import { runOf, type ModeRun, type ScenarioResult } from "../results.js";
import { searchCapacity, type SearchResult } from "../measure/capacity-search.js";
import type { LabContext } from "../context.js";
import type { Profile } from "../settings.js";
import { inRoundOrder, startWarmedUp } from "../measure/rounds.js";
import type { RunningSystem } from "../systems/systems.js";
import { medianAndSpread } from "../stats.js";
import { capacitySearchSettings } from "./capacity.js";
import { costFindings, priceFeature, pricedRun, type Priced, type PricedFeature } from "./priced.js";
import { NOTHING, resultOf, type Scenario } from "./scenario.js";
import { CAPABILITIES } from "../../testbed/stack/capabilities.js";

/** This scenario's findings (results.json's ids). */
export const FINDINGS = { cost: "cost.replication.nats" } as const;

/**
 * Capacity searches of one server and of the cluster, after the priced rounds: figures only, no
 * finding. None in the default run (`npm start`), whose time goes to the findings.
 */
export const CLUSTER_SETTINGS = {
  quick: { clusterSearches: 1 },
  short: { clusterSearches: 0 },
  full: { clusterSearches: 3 },
} as const satisfies Record<Profile, object>;

const feature: PricedFeature = {
  label: "cluster",
  // Replicating the broker concerns only the NATS mode.
  variants: (mode) => (CAPABILITIES[mode].hasBroker ? { off: {}, on: { cluster: 3 } } : undefined),
  cost: () => ({ id: FINDINGS.cost, label: "What a 3-node cluster with 3 replicas costs NATS (services and all brokers)" }),
};

/** The highest sustained rate on one server and on the cluster: both warmed up, then searched in turn each round. */
async function capacities(ctx: LabContext): Promise<[SearchResult[], SearchResult[]]> {
  const systems: RunningSystem[] = [];
  const results: [SearchResult[], SearchResult[]] = [[], []];
  const searches = CLUSTER_SETTINGS[ctx.settings.profile].clusterSearches;
  if (searches === 0) return results;
  try {
    await startWarmedUp(ctx, systems, [
      { scenario: "cluster-capacity-r1", id: "nats", label: "cluster capacity r1" },
      { scenario: "cluster-capacity-r3", id: "nats", options: { cluster: 3 }, label: "cluster capacity r3" },
    ]);
    for (let round = 1; round <= searches; round++)
      for (const [i, system] of inRoundOrder(systems, round, ctx.settings.roundOrderSeed)) {
        const result = await searchCapacity(system, capacitySearchSettings(ctx), round, results[i as 0 | 1].at(-1)?.capacity || undefined);
        results[i as 0 | 1].push(result);
      }
  } finally {
    for (const system of systems) await system.stop();
  }
  return results;
}

const sustained = (list: SearchResult[]) => {
  const { median, min, max } = medianAndSpread(list.map((r) => r.capacity));
  return `${list.some((r) => r.atMaxRate) ? "≥ " : ""}${median}${min === max ? "" : ` (${min}–${max})`}`;
};

/** "sustained 700 vs 900 orders/s" (3 replicas, then one server) when the run searched, else nothing. */
const sustainedText = (r: ModeRun, prefix: string) =>
  r.figures.capacityOneServer === undefined
    ? ""
    : `${prefix}sustained ${shown(r.figures.capacityThreeReplicas)} vs ${shown(r.figures.capacityOneServer)} orders/s`;

function runFrom(p: Priced, capOne: SearchResult[] = [], capThree: SearchResult[] = []): ModeRun {
  return pricedRun(p, ({ off, on }) => ({
    cpuMsPerOrderOneServer: off.cpu,
    cpuMsPerOrderThreeReplicas: on.cpu,
    cpuRoundsOneServer: off.cpuRounds,
    cpuRoundsThreeReplicas: on.cpuRounds,
    brokerCpuOneServer: off.broker,
    brokerCpuThreeNodes: on.broker,
    completeP50OneServer: off.completeP50,
    completeP50ThreeReplicas: on.completeP50,
    acceptP50OneServer: off.acceptP50,
    acceptP50ThreeReplicas: on.acceptP50,
    ...(capOne.length > 0 ? { capacityOneServer: sustained(capOne), capacityThreeReplicas: sustained(capThree) } : {}),
  }));
}

/**
 * What replication costs on one machine: the NATS mode at the priced rate on
 * one nats-server (streams with one replica) and on a 3-node JetStream cluster
 * (three replicas), side by side in each round, and the highest rate each
 * sustains. This is replication's overhead, not scale: the three nodes share
 * the machine's cores. Broker CPU is all the nodes' together.
 */
async function run(ctx: LabContext): Promise<ScenarioResult> {
  const priced = await priceFeature(ctx, feature, (p) =>
    resultOf(
      cluster,
      p.map((x) => runFrom(x)),
    ),
  );
  if (priced.length === 0) return resultOf(cluster, []);
  const [capOne, capThree] = await capacities(ctx);
  return resultOf(
    cluster,
    priced.map((p) => runFrom(p, capOne, capThree)),
  );
}

export const cluster: Scenario = {
  ...NOTHING,
  id: "cluster",
  takesRoundBudget: true,
  title: "Replication: one nats-server vs a 3-node cluster with 3 replicas",
  claim: "A broker can be replicated so that losing a server loses nothing; every message is then written on a quorum of servers before it is acknowledged.",
  figureLabels: {
    cpuMsPerOrderOneServer: "CPU ms per order, one server (services and broker; median round)",
    cpuMsPerOrderThreeReplicas: "CPU ms per order, 3-node cluster, 3 replicas (median round)",
    cpuRoundsOneServer: "one server, each round",
    cpuRoundsThreeReplicas: "3 replicas, each round",
    brokerCpuOneServer: "broker CPU ms per order, one server",
    brokerCpuThreeNodes: "broker CPU ms per order, all three nodes",
    completeP50OneServer: "complete p50, one server (ms)",
    completeP50ThreeReplicas: "complete p50, 3 replicas (ms)",
    acceptP50OneServer: "accept p50, one server (ms)",
    acceptP50ThreeReplicas: "accept p50, 3 replicas (ms)",
    capacityOneServer: "sustained orders/s, one server (median of rounds, range)",
    capacityThreeReplicas: "sustained orders/s, 3 replicas",
  },
  run,
  knobs: CLUSTER_SETTINGS,
  explain(s, report) {
    const x = runOf(s, "nats");
    if (!x) return [];
    const f = (k: string) => shown(x.figures[k]);
    const cost = report.findings.find((c) => c.id === FINDINGS.cost);
    return [
      `On one machine, a 3-node JetStream cluster with every stream replicated three times, against one server, over ${cost?.rounds ?? 0} rounds: ${cost?.text ?? "not measured"} (median rounds ${f("cpuMsPerOrderThreeReplicas")} against ${f("cpuMsPerOrderOneServer")} ms; the brokers alone ${f("brokerCpuThreeNodes")} against ${f("brokerCpuOneServer")}). The client's answer took ${ms(Number(x.figures.acceptP50ThreeReplicas))} against ${ms(Number(x.figures.acceptP50OneServer))} at the median, completion ${ms(Number(x.figures.completeP50ThreeReplicas))} against ${ms(Number(x.figures.completeP50OneServer))}${sustainedText(x, "; ")}. The nodes share the machine's cores: this is replication's overhead, not scale.`,
    ];
  },
  verdict(r, _s, report) {
    if (!r) return "not applicable: no broker to replicate";
    const cost = report.findings.find((c) => c.id === FINDINGS.cost);
    return `3 replicas: ${cost?.text ?? "not measured"}; accept p50 ${ms(Number(r.figures.acceptP50ThreeReplicas))} vs ${ms(Number(r.figures.acceptP50OneServer))}${sustainedText(r, "; ")}`;
  },
  keyFigure: (r) =>
    `3 replicas ${shown(r.figures.cpuMsPerOrderThreeReplicas)} vs 1 ${shown(r.figures.cpuMsPerOrderOneServer)} ms/order${sustainedText(r, ", ")}`,
  findings: (s) => costFindings(s, feature),
};
