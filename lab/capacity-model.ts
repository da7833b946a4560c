// What each style needs at a given rate, from what this run measured: CPU per order at the warm rate
// (services, broker and the lab's client apart), peak memory per service, and replication's price.
import { STREAMS } from "../services/nats/topology.js";
import { runOf, type CapacityModel, type Mode, type ModeRun, type ModelAtRate, type ScenarioResult } from "./results.js";
import { round2 } from "./report/format.js";
import { CAPABILITIES } from "../testbed/stack/capabilities.js";

/** The share of a core the model plans to use: headroom for bursts, garbage collection and failover. */
export const PLANNED_UTILISATION = 0.7;

/** The rates the model answers for (orders a second). */
export const MODEL_RATES = [1_000, 10_000, 100_000] as const;

/** Stream messages one order puts through each stream of the asynchronous mode (the workflow's five). */
const MESSAGES_PER_ORDER: Record<string, number> = {
  [STREAMS.orders]: 1,
  [STREAMS.billing]: 1,
  [STREAMS.notification]: 1,
  [STREAMS.events]: 2,
};

/** Replicas the model plans NATS with: R3, a quorum survives one node's loss. */
const REPLICAS = 3;

/** What set a prediction: the machine's cores, one Node process's thread, or a waiting chain's threads together. */
export type Ceiling = "cores" | "process" | "chain";

/** The main-thread CPU per order of a chain whose callers wait: each service's and the lab's client's. */
export interface WaitingChain {
  mainThreads: Readonly<Record<string, number>>;
  client: number;
}

/**
 * What this machine completes at most, from CPU per order: the cores shared by
 * everything that ran here, or one core for the busiest Node process (services and the lab's client
 * run their JavaScript on one thread each; nats-server, in Go, uses every core and is counted in the
 * shared figure only), or, for a saturated chain whose callers wait, one core for the main threads
 * of the whole chain: every order in flight is then held by a caller, so the orders move from
 * process to process together, each process answering all of them in one turn of its event loop
 * while the others wait for it (measured here at 64 in flight: one main thread of the gRPC chain
 * running in 82 % of samples, two or more in 13 %; NATS's in 22 % and 76 %). The lowest, and what sets it.
 */
export function ceilingHere(
  cores: number,
  processes: Readonly<Record<string, number>>,
  broker: number,
  client: number,
  chain?: WaitingChain,
): { ordersPerSec: number; setBy: string; ceiling: Ceiling } {
  const total = Object.values(processes).reduce((a, b) => a + b, 0) + broker + client;
  const byCores = Math.round((cores * 1000) / total);
  const [name, busiest] = [...Object.entries(processes), ["the lab's client", client] as const].reduce((a, b) => (b[1] > a[1] ? b : a));
  const byProcess = busiest > 0 ? Math.round(1000 / busiest) : Infinity;
  const chainMs = chain ? Object.values(chain.mainThreads).reduce((a, b) => a + b, 0) + chain.client : 0;
  const byChain = chainMs > 0 ? Math.round(1000 / chainMs) : Infinity;
  if (byChain < Math.min(byCores, byProcess))
    return {
      ordersPerSec: byChain,
      setBy: `one core for the whole chain's event loops (${round2(chainMs)} ms per order together): its callers wait, so its processes take turns; below the ${byCores}/s the ${cores} cores allow`,
      ceiling: "chain",
    };
  return byProcess < byCores
    ? {
        ordersPerSec: byProcess,
        setBy: `one core for ${name} (${round2(busiest)} ms per order), below the ${byCores}/s the ${cores} cores allow`,
        ceiling: "process",
      }
    : { ordersPerSec: byCores, setBy: `the ${cores} cores`, ceiling: "cores" };
}

const num = (r: ModeRun | undefined, k: string) => (typeof r?.figures[k] === "number" ? r.figures[k] : undefined);

/** The cluster scenario's broker CPU, three nodes ÷ one server, when this run measured it. */
function measuredReplicationFactor(results: readonly ScenarioResult[]): number | undefined {
  const x = runOf(
    results.find((s) => s.id === "cluster"),
    "nats",
  );
  const one = num(x, "brokerCpuOneServer");
  const three = num(x, "brokerCpuThreeNodes");
  return one && three ? three / one : undefined;
}

/** What limited a mode whose saturation throughput was close to the prediction, by what set the prediction. */
const WITHIN_PREDICTION: Record<Ceiling, string> = {
  cores: "CPU: saturated, it used up the cores",
  process: "CPU: saturated, its busiest process used up one core",
  chain: "CPU, one core at a time: saturated, its processes took turns, and together used up about one core",
};

/**
 * What limits a mode here: the saturated throughput against the CPU's prediction says whether the
 * cores were the limit; the highest rate held under the latency bound against the saturated
 * throughput says whether latency was reached first.
 */
function limitIn(measuredOverPredicted: number | null, sustainedOverSaturated: number | null, ceiling: Ceiling): string {
  if (measuredOverPredicted === null) return "not measured here: no saturation throughput, and no search that stopped below its highest rate";
  const cpu =
    measuredOverPredicted < 0.7
      ? "not CPU alone: saturated, it completed well below what its CPU per order allows (waits: I/O, locks, the event loop)"
      : measuredOverPredicted > 1.3
        ? "CPU, each order costing less when saturated than at the warm rate (batching amortises per-call costs)"
        : WITHIN_PREDICTION[ceiling];
  if (sustainedOverSaturated === null || sustainedOverSaturated >= 0.7) return cpu;
  return `${cpu}; the latency bound (p99) was reached at ${Math.round(sustainedOverSaturated * 100)} % of that throughput`;
}

/** The model of both modes that this run measured enough for (the baseline's warm rounds). */
export function capacityModels(
  modes: readonly Mode[],
  results: readonly ScenarioResult[],
  cores: number,
  warmRate: number,
): Partial<Record<Mode, CapacityModel>> {
  const out: Partial<Record<Mode, CapacityModel>> = {};
  for (const m of modes) {
    const model = capacityModel(m, results, cores, warmRate);
    if (model) out[m] = model;
  }
  return out;
}

/**
 * The model of one mode, or undefined when the baseline's warm rounds did not run. CPU per order
 * is taken where processes are busy (saturated), and scales linearly with the rate from there;
 * processes and memory scale in whole processes; NATS's broker is planned at R3.
 */
export function capacityModel(mode: Mode, results: readonly ScenarioResult[], cores: number, warmRate: number): CapacityModel | undefined {
  const base = runOf(
    results.find((s) => s.id === "baseline"),
    mode,
  );
  const warm = base?.cpuWarm;
  if (!base || !warm) return undefined;
  const capacityRun = runOf(
    results.find((s) => s.id === "capacity"),
    mode,
  );
  const warmClient = num(base, "clientCpuMsPerOrderWarm") ?? 0;
  // The model plans with CPU per order when saturated (busy processes batch: a NATS order costs a
  // third of what it costs at 300/s), else at the warm rate.
  const saturation = capacityRun?.series?.saturation ?? [];
  const saturated = saturation.length > 0 ? [...saturation].sort((a, b) => a - b)[Math.floor(saturation.length / 2)]! : undefined;
  const basis = capacityRun?.cpuSaturated;
  const cpu = basis ?? warm;
  const client = basis ? basis.client : warmClient;
  const hasBroker = CAPABILITIES[mode].hasBroker;
  const broker = hasBroker ? (cpu.broker ?? 0) : null;
  const measuredFactor = hasBroker ? measuredReplicationFactor(results) : undefined;
  const factor = hasBroker ? (measuredFactor ?? REPLICAS) : null;
  const brokerReplicated = broker === null ? null : broker * factor!;
  const servicesTotal = cpu.total;
  const perOrderDeployed = servicesTotal + (brokerReplicated ?? 0);
  const rss = capacityRun?.rssMiBPeak ?? base.rssMiBPeak ?? {};
  const at = MODEL_RATES.map((rate): ModelAtRate => {
    const serviceProcesses = Object.fromEntries(
      Object.entries(cpu.processes).map(([name, ms]) => [name, Math.max(1, Math.ceil((rate * ms) / 1000 / PLANNED_UTILISATION))]),
    );
    const memory = Object.entries(serviceProcesses).flatMap(([name, n]) => (rss[name] === undefined ? [] : [n * rss[name]]));
    const everyService = memory.length === Object.keys(serviceProcesses).length;
    return {
      ordersPerSec: rate,
      cores: round2((rate * perOrderDeployed) / 1000 / PLANNED_UTILISATION),
      serviceProcesses,
      brokerCores: brokerReplicated === null ? null : round2((rate * brokerReplicated) / 1000 / PLANNED_UTILISATION),
      serviceMemoryMiB: memory.length > 0 && everyService ? Math.round(memory.reduce((a, b) => a + b, 0)) : null,
    };
  });
  const busiest = Math.max(...Object.values(MESSAGES_PER_ORDER));
  const perMessage = broker === null ? undefined : broker / Object.values(MESSAGES_PER_ORDER).reduce((a, b) => a + b, 0);
  // The chain's turns are a saturated closed loop's: used only with CPU measured saturated.
  const chain = CAPABILITIES[mode].callersWait && basis?.mainThreads ? { mainThreads: basis.mainThreads, client: basis.clientMainThread ?? client } : undefined;
  const here = ceilingHere(cores, cpu.processes, broker ?? 0, client, chain);
  const predictedCapacityHere = here.ordersPerSec;
  const predictedFromWarmRate = ceilingHere(cores, warm.processes, hasBroker ? (warm.broker ?? 0) : 0, warmClient).ordersPerSec;
  // Measured: the saturation throughput (what the cores complete), else the search's highest rate held.
  const search = capacityRun?.capacity;
  const measuredCapacityHere = saturated ?? (search && !search.atMaxRate ? search.median : null);
  const measuredOverPredicted = measuredCapacityHere === null ? null : round2(measuredCapacityHere / predictedCapacityHere);
  const sustainedOverSaturated = saturated && search && !search.atMaxRate ? search.median / saturated : null;
  return {
    utilisation: PLANNED_UTILISATION,
    cpuBasis: basis ? "saturated" : "warm",
    measuredAtRate: basis && saturated ? saturated : warmRate,
    cpuMsPerOrder: {
      services: cpu.processes,
      servicesTotal: round2(servicesTotal),
      broker: broker === null ? null : round2(broker),
      brokerReplicated: brokerReplicated === null ? null : round2(brokerReplicated),
      replicationFactor: factor === null ? null : round2(factor),
      replicationFrom: hasBroker ? (measuredFactor === undefined ? "assumed" : "measured") : null,
      client: round2(client),
    },
    coresPer10kOrdersPerSec: round2((10_000 * perOrderDeployed) / 1000 / PLANNED_UTILISATION),
    at,
    streamLeaderLimitOrdersPerSec: perMessage ? Math.round(1000 / (perMessage * busiest)) : null,
    predictedCapacityHere,
    predictedLimit: here.setBy,
    predictedFromWarmRate,
    measuredCapacityHere,
    measuredOverPredicted,
    limitHere: limitIn(measuredOverPredicted, sustainedOverSaturated, here.ceiling),
  };
}
