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
  drainTimeoutMs: number;
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
    comparisonRounds: 2,
    maxRounds: 2,
    capacityRounds: 2,
    capacityMaxRounds: 2,
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
    capacityRounds: 3,
    capacityMaxRounds: 5,
    capacityMaxRate: 5_000,
    capacityStepMs: 5_000,
    capacityRefineSteps: 3,
    drainTimeoutMs: 60_000,
  },
};
