export type Profile = "quick" | "short" | "full";

/** How long and how hard each scenario pushes; every figure in a report comes from a run with these. */
export interface LabSettings {
  profile: Profile;
  seed: number;
  baselineRate: number;
  baselineMs: number;
  capacityRates: number[];
  capacityStepMs: number;
  /** A step is sustained when completion p99 stays under this and errors under errorBound. */
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
}

const SHORT: LabSettings = {
  profile: "short",
  seed: 1,
  baselineRate: 100,
  baselineMs: 5_000,
  capacityRates: [100, 250, 500, 800, 1200, 1800, 2600],
  capacityStepMs: 2_000,
  p99BoundMs: 1_000,
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
};

export const PROFILES: Record<Profile, LabSettings> = {
  short: SHORT,
  quick: {
    ...SHORT,
    profile: "quick",
    baselineMs: 2_000,
    capacityRates: [100, 400],
    capacityStepMs: 1_200,
    outageRunMs: 4_000,
    outageStartMs: 1_000,
    outageMs: 1_500,
    overloadRate: 1_000,
    overloadMs: 1_500,
    crashRunMs: 3_500,
    crashAtMs: 1_200,
    crashDownMs: 500,
    drainTimeoutMs: 20_000,
  },
  full: {
    ...SHORT,
    profile: "full",
    baselineMs: 30_000,
    capacityRates: [100, 200, 300, 500, 700, 1000, 1400, 2000, 2800],
    capacityStepMs: 8_000,
    outageRunMs: 30_000,
    outageStartMs: 8_000,
    outageMs: 10_000,
    overloadMs: 10_000,
    crashRunMs: 20_000,
    crashAtMs: 8_000,
    crashDownMs: 2_000,
    drainTimeoutMs: 60_000,
  },
};
