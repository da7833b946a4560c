// The results model: everything a lab run records, as written to results.json. The runtime
// fills it, the renderers read it; this file imports neither.
import type { AuditLine } from "../testbed/audit/audit.js";
import type { ChaosAudit } from "../testbed/chaos/run.js";
import type { Mode } from "../services/common/config.js";
import type { LabSettings } from "./settings.js";

export type { AuditLine, Mode };

// What a load run measured is the load generator's; the results keep it as it is.
export type { LatencySummary, LoadSummary, TimelinePoint } from "../testbed/load/load-summary.js";
import type { LoadSummary } from "../testbed/load/load-summary.js";

/** CPU per order between two readings: each process, their sum (the system's own), and the broker. */
export interface CpuPerOrder {
  processes: Record<string, number>;
  total: number;
  broker: number | null;
  /** The share of `processes` spent on each process's main thread (its event loop), where read. */
  mainThreads?: Record<string, number>;
}

/** One capacity probe: a rate offered for a while, what came of it, and what it cost each process. */
export interface CapacityStep extends Omit<LoadSummary, "timeline"> {
  round: number;
  held: boolean;
  cpu: CpuPerOrder;
  /** CPU ms per order of the lab's own process (the load generator and the client). */
  clientCpuMsPerOrder: number;
}

export interface CapacityFigure {
  median: number;
  min: number;
  max: number;
  rounds: number[];
  /** Some round held even the search's maximum rate: the figures are lower bounds. */
  atMaxRate: boolean;
}

export interface QueueSample {
  t: number;
  /** Messages waiting in the work streams (work-queue retention: not yet acknowledged). */
  backlog: number;
  /** Messages delivered and not yet acknowledged, over all consumers: the work in flight. */
  ackPending: number;
  /** The largest ack-pending count of any one consumer, to compare with its max_ack_pending. */
  maxConsumerAckPending: number;
}

/** One span of an order's trace, placed on the trace's own time axis. */
export interface WaterfallRow {
  service: string;
  name: string;
  kind: number;
  /** ms from the trace's first span. */
  startMs: number;
  durationMs: number;
  /** Nesting under its parent, 0 for the first. */
  depth: number;
  /** The span's error status message, when it failed. */
  failed?: string;
  /** A consumer span: how long the message waited in the stream after its producer span ended. */
  waitedMs?: number;
  /** A consumer span: which delivery of the message it was. */
  delivery?: number;
}

/** One order's trace as the report draws it. */
export interface Waterfall {
  caption: string;
  orderId: string;
  traceId: string;
  /** From the first span's start to the last span's end. */
  totalMs: number;
  /** How long the client waited for its answer(s): its own spans. */
  clientWaitMs: number;
  rows: WaterfallRow[];
}

export interface ModeRun {
  mode: Mode;
  load?: LoadSummary;
  audit?: AuditLine;
  /** Scenario-specific measurements, named in the report by the scenario's figure labels. */
  figures: Record<string, number | string | boolean>;
  /** Capacity: every probe of every round, in the order they ran. */
  steps?: CapacityStep[];
  /** CPU per order in each process and the broker (baseline: at the baseline rate, the median round). */
  cpu?: CpuPerOrder;
  /** Baseline: the same at the warm rate (the median round). */
  cpuWarm?: CpuPerOrder;
  /** Capacity: the same when saturated (the median round), and the lab's client's. */
  cpuSaturated?: CpuPerOrder & { client: number; clientMainThread?: number };
  /** Capacity: the highest sustained rate of each round, their median and spread. */
  capacity?: CapacityFigure;
  /** The largest resident set size each process reached during the scenario (MiB). */
  rssMiBPeak?: Record<string, number>;
  queue?: QueueSample[];
  marks?: Array<{ t: number; label: string }>;
  addresses?: Record<string, Record<string, string>>;
  /** Orders drawn from the spans recorded in the run (traces: the median order; down: one that was re-sent or waited). */
  waterfalls?: Waterfall[];
  /** Per-round measurements by name, in round order, that the findings' intervals are drawn from. */
  series?: Record<string, number[]>;
  /** Structured output of the scenario's own, typed by the scenario module that writes and reads it. */
  detail?: unknown;
}

export interface ScenarioResult {
  /** The id of the scenario module that made it. */
  id: string;
  title: string;
  runs: ModeRun[];
  /** The scenario's own knobs as this run used them (its module's knobs for the profile). */
  settings?: object;
  /** The bare transport chains measured in the same scenario, side by side with the modes (mode = the chain's transport). */
  raw?: ModeRun[];
  /** How long the scenario took, start to end (absent in older reports). */
  durationMs?: number;
  /** A scenario that takes rounds past its cap: its share of the run's round budget, and what it spent of it (ms). */
  roundBudget?: { shareMs: number; spentMs: number };
  /** Baseline: the work floor, measured in the same rounds; its CPU per order at each round, at the baseline and the warm rate. */
  floor?: { cpu: number[]; cpuWarm: number[] };
}

export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  memoryGb: number;
  node: string;
  natsServer: string;
  platform: string;
}

export interface Ratios {
  /** The mode's median saturation throughput divided by its bare chain's. */
  capacityRatio?: number;
  /** The mode's baseline completion p50 divided by its bare chain's. */
  p50Ratio?: number;
  /** The mode's CPU per order (services and broker) divided by its bare chain's (nodes and broker), at the baseline rate. */
  cpuRatio?: number;
}

/** One system's headline figures, under names that other tools may rely on. */
export interface SystemSummary {
  /** Median sustained orders/s over the capacity rounds; null when not measured or when it reached the search's maximum. */
  capacity: number | null;
  /** Set instead of capacity when the system held the search's maximum rate: the real limit is at least this. */
  capacityAtLeast: number | null;
  capacitySpread: { min: number; max: number; rounds: number[] } | null;
  /** Orders completed per second with `inFlight` always in the system (the capacity scenario's comparisons are made on it). */
  saturation?: { median: number; rounds: number[]; inFlight: number } | null;
  /** CPU ms per order of the system's own processes at the baseline rate. */
  cpuMsPerOrder: number | null;
  /** nats-server's CPU ms per order at the baseline rate; null for gRPC. */
  brokerCpuMsPerOrder: number | null;
  /** The same two at the warm rate. */
  cpuMsPerOrderWarm: number | null;
  brokerCpuMsPerOrderWarm: number | null;
  /** Median completion latency at the baseline rate (ms). */
  completeP50Ms: number | null;
  /** The largest peak RSS of any one service during the capacity scenario (modes only). */
  rssMiBPeak?: number | null;
}

/** What the lab measures side by side: each mode, each mode's bare transport chain, and the work floor (no transport). */
export type SystemId = "grpc" | "nats" | "rawGrpc" | "rawNats" | "floor";

export const SYSTEM_NAME: Record<SystemId, string> = {
  grpc: "gRPC",
  nats: "NATS",
  rawGrpc: "bare gRPC chain",
  rawNats: "bare NATS chain",
  floor: "work floor",
};

export const RAW_OF = { grpc: "rawGrpc", nats: "rawNats" } as const satisfies Record<Mode, SystemId>;

/**
 * What results.json's summary holds besides each system's figures. A scenario with a summary of
 * its own adds its field to this interface from its module (`declare module "../results.js"`).
 */
export interface ResultsSummary extends Record<Exclude<SystemId, "floor">, SystemSummary> {
  baselineRate: number;
  /** The rate at which CPU per order is also measured warm: at 100/s idle wakeups and cold caches double it. */
  warmRate: number;
  /** The work floor: one order's own work with no transport (CPU ms per order, at the baseline and the warm rate). */
  floor: { cpuMsPerOrder: number | null; cpuMsPerOrderWarm: number | null };
  /** The chaos scenario's audit per mode. */
  chaos?: Partial<Record<Mode, ChaosAudit>>;
  /** Per mode: the cores and memory it needs at scale, from this run's figures, checked against this machine's capacity. */
  capacityModel?: Partial<Record<Mode, CapacityModel>>;
}

/**
 * A quantitative claim of the report, with its 95 % interval from repeated, interleaved rounds.
 * `noDifference` is the value that means "the same" (1 for a ratio, 0 for a difference);
 * `verdict` is "higher" when the whole interval lies above it, "lower" when below, and
 * "no measurable difference" otherwise.
 */
export interface Finding {
  id: string;
  label: string;
  estimate: number;
  low: number;
  high: number;
  unit: string;
  noDifference: number;
  verdict: "higher" | "lower" | "no measurable difference";
  /** How many paired rounds (or samples per side) the interval rests on. */
  rounds: number;
  /** The verdict in plain words, with the interval. */
  text: string;
  /** Set when the run's A/A check found a difference between identical arms: why the verdict is withheld. */
  withheld?: string;
}

/** The machine's noise probe before one round (see run/noise-probe.ts). */
export interface NoiseSample {
  label: string;
  cpuLoopMs: number;
  fileCreateUs: number;
  noisy?: boolean;
}

export interface NoiseRecord {
  probes: NoiseSample[];
  cpuLoopMedianMs: number;
  cpuLoopMinMs: number;
  cpuLoopMaxMs: number;
  fileCreateMedianUs: number;
  fileCreateMinUs: number;
  fileCreateMaxUs: number;
}

/** Everything a report shows, as written to results.json. */
export interface LabReport {
  version: 3;
  createdAt: string;
  machine: MachineInfo;
  settings: LabSettings;
  /** --secure: the modes ran the secure profile in every scenario (the bare chains stay plain). */
  secure: boolean;
  /** --net: every process of the modes ran on a host of its own (lab network); absent in older reports. */
  net?: boolean;
  summary: ResultsSummary;
  findings: Finding[];
  scenarios: ScenarioResult[];
  /** The bare chains: every scenario's measurements of them, merged per transport. */
  raw: ModeRun[];
  ratios: Partial<Record<Mode, Ratios>>;
  /** The noise probes of every measured round. */
  noise: NoiseRecord;
  durationMs: number;
}

export const MODE_NAME: Record<Mode, string> = { grpc: "gRPC", nats: "NATS" };

export function runOf(scenario: ScenarioResult | undefined, mode: Mode): ModeRun | undefined {
  return scenario?.runs.find((r) => r.mode === mode);
}

export function rawRunOf(scenario: ScenarioResult | undefined, mode: Mode): ModeRun | undefined {
  return scenario?.raw?.find((r) => r.mode === mode);
}

/** What one mode needs at one rate (capacity-model.ts). */
export interface ModelAtRate {
  ordersPerSec: number;
  /** Cores for the services and the broker (all replicas), at the planned utilisation. */
  cores: number;
  /** Processes per service: a Node.js process uses at most one core. */
  serviceProcesses: Record<string, number>;
  brokerCores: number | null;
  /** The services' processes times each one's peak resident memory here (the broker's not measured). */
  serviceMemoryMiB: number | null;
}

export interface CapacityModel {
  utilisation: number;
  /**
   * Which CPU per order the model plans with: "saturated" (the capacity scenario's saturated runs,
   * the regime of busy processes, where a NATS order costs far less than at a moderate rate), or
   * "warm" (the baseline's warm rate) when the capacity scenario did not run.
   */
  cpuBasis: "saturated" | "warm";
  /** The rate that CPU per order was measured at (orders/s). */
  measuredAtRate: number;
  cpuMsPerOrder: {
    services: Record<string, number>;
    servicesTotal: number;
    /** One server (as the lab runs the mode); null for gRPC. */
    broker: number | null;
    /** The broker at R3: one server's cost times the replication factor. */
    brokerReplicated: number | null;
    replicationFactor: number | null;
    /** "measured": the cluster scenario's three nodes ÷ one server in this run; "assumed": three times one server. */
    replicationFrom: "measured" | "assumed" | null;
    /** The lab's load generator and client: shares this machine's cores, not part of a deployment. */
    client: number;
  };
  /** Cores for 10,000 orders a second, services and broker (R3), at the planned utilisation. */
  coresPer10kOrdersPerSec: number;
  at: ModelAtRate[];
  /**
   * NATS: the rate at which the busiest stream's leader needs a whole core, taking one server's cost
   * per message as a leader's least (a stream's messages are stored in order, by one leader).
   */
  streamLeaderLimitOrdersPerSec: number | null;
  /**
   * What this machine completes at most, on the model's basis: its cores ÷ CPU per order of
   * everything that ran here (services, one broker, client), or one core ÷ the busiest Node
   * process's CPU per order (each runs its JavaScript on one thread), whichever is lower.
   */
  predictedCapacityHere: number;
  /** What sets that prediction: the cores, or one core of the busiest process. */
  predictedLimit: string;
  /** The same from the warm rate's CPU per order: what a model that ignored batching would predict. */
  predictedFromWarmRate: number;
  /**
   * What this run measured here: the capacity scenario's saturation throughput (median round), or,
   * without it, its highest rate held; null when not measured or only bounded.
   */
  measuredCapacityHere: number | null;
  /** measured ÷ predicted: near 1 when CPU is the limit here. */
  measuredOverPredicted: number | null;
  /** Which resource limits the mode here, in words. */
  limitHere: string;
}
