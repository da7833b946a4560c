export type Profile = "quick" | "short" | "full";

/** How long and how hard each scenario pushes; every figure in a report comes from a run with these. */
export interface LabSettings {
  profile: Profile;
  seed: number;
  /**
   * Load before anything is measured, so that JIT compilation and first-use costs are not charged to
   * orders: V8 optimises a function after many calls, so what counts is the number of orders.
   */
  warmupRate: number;
  warmupMs: number;
  baselineRate: number;
  baselineMs: number;
  /** CPU per order is also measured at this rate, where the cost of idle wakeups and cold caches is spread thin. */
  warmRate: number;
  /** Rounds at the warm rate, after the baseline's. */
  warmRounds: number;
  /** Baseline rounds over the same running systems, each measuring every mode next to its bare chain. CPU is the median round's. */
  baselineRounds: number;
  /** Rounds of the scenarios that price one setting of a mode side by side (traces, secure, cluster), both kept running. */
  comparisonRounds: number;
  /** The most rounds a comparison takes when its interval still includes "no difference" (baseline, traces, secure, cluster). */
  maxRounds: number;
  /** Capacity rounds over the same running systems, interleaving each mode with its bare chain. */
  capacityRounds: number;
  /** The most capacity rounds taken while a capacity comparison is undecided. */
  capacityMaxRounds: number;
  capacityStartRate: number;
  capacityMaxRate: number;
  capacityStepMs: number;
  capacityRefineSteps: number;
  /** A rate is sustained when completion p99 stays under this and errors and unfinished orders under errorBound. */
  p99BoundMs: number;
  errorBound: number;
  outageRate: number;
  outageRunMs: number;
  outageStartMs: number;
  outageMs: number;
  overloadRate: number;
  overloadMs: number;
  /** gRPC: GRPC_MAX_IN_FLIGHT of each server; NATS: NATS_MAX_ACK_PENDING of each consumer. */
  overloadLimit: number;
  /** The client's deadline in the overload scenario. */
  overloadDeadlineMs: number;
  crashRate: number;
  crashRunMs: number;
  crashAtMs: number;
  crashDownMs: number;
  drainTimeoutMs: number;
  /** Scale-out: billing's stand-in provider latency and how many at once per process, the offered rate, and when billing-2 starts. */
  scaleOutProviderDelayMs: number;
  scaleOutProviderConcurrency: number;
  scaleOutRate: number;
  scaleOutMs: number;
  scaleOutAtMs: number;
  /** Latency: the one-way delay of every hop, a run per value; the offered rate, orders in flight per client, and how long. */
  latencyHopDelaysMs: number[];
  latencyRate: number;
  latencyInFlight: number;
  latencyRunMs: number;
  /** Cut link: the offered rate, how long, when the link is cut and for how long, and the client's deadline. */
  cutLinkRate: number;
  cutLinkRunMs: number;
  cutLinkAtMs: number;
  cutLinkMs: number;
  cutLinkDeadlineMs: number;
  /** Partition: the offered rate, when each of the two partitions starts and how long it lasts. */
  partitionRate: number;
  partitionAtMs: number;
  partitionMs: number;
}

const SHORT: LabSettings = {
  profile: "short",
  seed: 1,
  warmupRate: 300,
  warmupMs: 3_000,
  baselineRate: 100,
  baselineMs: 3_000,
  warmRate: 300,
  warmRounds: 2,
  // CPU per order moves by a fifth between single 4-second windows on a shared 2-core machine.
  baselineRounds: 3,
  // An interval needs two rounds at least; more are taken while a comparison is undecided.
  comparisonRounds: 3,
  maxRounds: 4,
  capacityRounds: 2,
  capacityMaxRounds: 3,
  capacityStartRate: 200,
  capacityMaxRate: 3_000,
  capacityStepMs: 1_500,
  capacityRefineSteps: 2,
  p99BoundMs: 250,
  errorBound: 0.01,
  outageRate: 100,
  outageRunMs: 8_000,
  outageStartMs: 2_000,
  outageMs: 3_000,
  overloadRate: 1_500,
  overloadMs: 3_000,
  overloadLimit: 32,
  overloadDeadlineMs: 2_000,
  crashRate: 100,
  crashRunMs: 6_000,
  crashAtMs: 2_000,
  crashDownMs: 1_000,
  drainTimeoutMs: 30_000,
  // One billing process makes 4 / 50 ms = 80 invoices/s; two make 160: 120/s is too much for one.
  scaleOutProviderDelayMs: 50,
  scaleOutProviderConcurrency: 4,
  scaleOutRate: 120,
  // gRPC's change is a restart of the order service, which first finishes the calls it has in flight
  // to the overloaded billing: 3 to 6 seconds measured, so the run goes on well past it.
  scaleOutMs: 14_000,
  scaleOutAtMs: 4_000,
  latencyHopDelaysMs: [0, 5],
  // Below every mode's capacity even at the longest delay: 8 in flight at 20 ms a hop still carry 50/s.
  latencyRate: 50,
  latencyInFlight: 8,
  latencyRunMs: 4_000,
  cutLinkRate: 50,
  cutLinkRunMs: 16_000,
  cutLinkAtMs: 3_000,
  cutLinkMs: 10_000,
  cutLinkDeadlineMs: 3_000,
  partitionRate: 50,
  partitionAtMs: 3_000,
  partitionMs: 12_000,
};

export const PROFILES: Record<Profile, LabSettings> = {
  short: SHORT,
  quick: {
    ...SHORT,
    profile: "quick",
    warmupMs: 1_000,
    baselineMs: 1_500,
    baselineRounds: 2,
    comparisonRounds: 2,
    maxRounds: 2,
    capacityRounds: 2,
    capacityMaxRounds: 2,
    capacityStartRate: 100,
    capacityMaxRate: 400,
    capacityStepMs: 1_000,
    capacityRefineSteps: 0,
    outageRunMs: 4_000,
    outageStartMs: 1_000,
    outageMs: 1_500,
    overloadRate: 1_000,
    overloadMs: 1_500,
    crashRunMs: 3_500,
    crashAtMs: 1_200,
    crashDownMs: 500,
    drainTimeoutMs: 20_000,
    // Long enough after the change for the gRPC order service's restart to finish and use billing-2.
    scaleOutMs: 8_000,
    scaleOutAtMs: 2_500,
    latencyRunMs: 2_000,
    cutLinkRunMs: 9_000,
    cutLinkAtMs: 1_500,
    cutLinkMs: 4_000,
    partitionAtMs: 1_500,
    partitionMs: 8_000,
  },
  full: {
    ...SHORT,
    profile: "full",
    warmupMs: 10_000,
    baselineMs: 10_000,
    baselineRounds: 5,
    comparisonRounds: 5,
    maxRounds: 10,
    capacityRounds: 3,
    capacityMaxRounds: 5,
    capacityMaxRate: 5_000,
    capacityStepMs: 5_000,
    capacityRefineSteps: 3,
    outageRunMs: 30_000,
    outageStartMs: 8_000,
    outageMs: 10_000,
    overloadMs: 10_000,
    crashRunMs: 20_000,
    crashAtMs: 8_000,
    crashDownMs: 2_000,
    drainTimeoutMs: 60_000,
    scaleOutMs: 30_000,
    scaleOutAtMs: 10_000,
    latencyHopDelaysMs: [0, 2, 5, 20],
    latencyRunMs: 10_000,
    cutLinkRunMs: 30_000,
    cutLinkAtMs: 8_000,
    partitionMs: 20_000,
  },
};
