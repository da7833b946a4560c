export type Profile = "quick" | "short" | "full";

/** How long and how hard each scenario pushes; every figure in a report comes from a run with these. */
export interface LabSettings {
  profile: Profile;
  seed: number;
  /** Seeds the order systems are measured in within each pair of rounds (inRoundOrder); drawn afresh for every run unless --order-seed names it. */
  roundOrderSeed: number;
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
  /**
   * The rate the priced features (tracing, the secure profile, durability, replication, broker
   * versions) are measured at: busy enough that idle wakeups do not drown a cost of a fraction of a
   * millisecond per order.
   */
  pricedRate: number;
  /** A priced cost whose interval is at most this wide (ms CPU per order) needs no more rounds. */
  pricedWidthMs: number;
  /** The most rounds a priced cost takes, past maxRounds only while the run's round budget lasts. */
  pricedMaxRounds: number;
  /**
   * The run's budget (ms) for rounds past maxRounds, shared among the priced scenarios in the order
   * they run: each may spend what is left divided among it and those still to come.
   */
  roundBudgetMs: number;
  /** Rounds of the scenarios that price one setting of a mode side by side (traces, secure, cluster), both kept running. */
  comparisonRounds: number;
  /** The most rounds a comparison takes when its interval still includes "no difference" (baseline, traces, secure, cluster). */
  maxRounds: number;
  /** Capacity searches per system, over the same running systems, interleaving each mode with its bare chain. */
  capacityRounds: number;
  /** Saturated runs per system always taken (the capacity comparisons' rounds; a round's first ones follow its search). */
  capacitySaturationRounds: number;
  /** The most saturated runs per system, taken while a capacity comparison's interval is wider than capacityWidth. */
  capacityMaxRounds: number;
  /** Past capacityMaxRounds, up to this many, only while the run's round budget lasts. */
  capacityBudgetRounds: number;
  /** How wide a capacity ratio's interval may be, end to end (high ÷ low), for its rounds to stop early. */
  capacityWidth: number;
  capacityStartRate: number;
  capacityMaxRate: number;
  capacityStepMs: number;
  capacityRefineSteps: number;
  /** A rate is sustained when completion p99 stays under this and errors and unfinished orders under errorBound. */
  p99BoundMs: number;
  errorBound: number;
  drainTimeoutMs: number;
}

const SHORT: LabSettings = {
  profile: "short",
  seed: 1,
  roundOrderSeed: 1,
  warmupRate: 300,
  warmupMs: 3_000,
  baselineRate: 100,
  baselineMs: 3_000,
  warmRate: 300,
  warmRounds: 2,
  pricedRate: 300,
  pricedWidthMs: 1,
  // A 3 s arm of gRPC at 300/s moves by about a sixth from round to round: 1 ms took 3 to 6 rounds in four runs.
  pricedMaxRounds: 10,
  roundBudgetMs: 180_000,
  // CPU per order moves by a fifth between single 4-second windows on a shared 2-core machine.
  baselineRounds: 3,
  // An interval needs two rounds at least; more are taken while a comparison is undecided.
  comparisonRounds: 3,
  maxRounds: 4,
  // The search (the highest rate held under the p99 bound) is described, not compared: one a system.
  capacityRounds: 1,
  // A paired interval from 2 or 3 rounds is 2x wide here; from 6 to 8 it narrows to about 1.3x.
  capacitySaturationRounds: 5,
  capacityMaxRounds: 8,
  // From 8 rounds to 14 a paired interval narrows by about a third (1.38x to 1.25x).
  capacityBudgetRounds: 14,
  capacityWidth: 1.3,
  capacityStartRate: 200,
  capacityMaxRate: 3_000,
  capacityStepMs: 1_500,
  capacityRefineSteps: 2,
  p99BoundMs: 250,
  errorBound: 0.01,
  drainTimeoutMs: 30_000,
};

export const PROFILES: Record<Profile, LabSettings> = {
  short: SHORT,
  quick: {
    ...SHORT,
    profile: "quick",
    warmupMs: 1_000,
    baselineMs: 1_500,
    baselineRounds: 2,
    pricedRate: 100,
    comparisonRounds: 2,
    maxRounds: 2,
    pricedMaxRounds: 2,
    roundBudgetMs: 0,
    capacityRounds: 2,
    capacitySaturationRounds: 2,
    capacityMaxRounds: 2,
    capacityBudgetRounds: 2,
    capacityStartRate: 100,
    capacityMaxRate: 400,
    capacityStepMs: 1_000,
    capacityRefineSteps: 0,
    drainTimeoutMs: 20_000,
  },
  full: {
    ...SHORT,
    profile: "full",
    warmupMs: 10_000,
    baselineMs: 10_000,
    baselineRounds: 5,
    comparisonRounds: 5,
    maxRounds: 10,
    pricedMaxRounds: 16,
    roundBudgetMs: 300_000,
    capacityRounds: 3,
    capacitySaturationRounds: 6,
    capacityMaxRounds: 10,
    capacityBudgetRounds: 16,
    capacityMaxRate: 5_000,
    capacityStepMs: 5_000,
    capacityRefineSteps: 3,
    drainTimeoutMs: 60_000,
  },
};
