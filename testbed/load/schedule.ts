/** A small seeded PRNG (mulberry32): the same seed gives the same arrivals, so runs can be repeated. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Arrivals = "uniform" | "poisson";

export interface ScheduleOptions {
  /** Orders per second. */
  rate: number;
  /** How many orders; or, with durationMs, as many as fit. */
  count?: number;
  durationMs?: number;
  arrivals?: Arrivals;
  seed?: number;
}

/**
 * Intended send times (ms from the start) of an open-loop load: fixed by the
 * rate alone, whatever the system does, so a slow answer cannot delay the
 * next send and hide queueing (coordinated omission).
 */
export function intendedSendTimes(o: ScheduleOptions): number[] {
  if (!(o.rate > 0)) throw new RangeError(`rate must be > 0, got ${o.rate}`);
  const count = o.count ?? Math.floor(((o.durationMs ?? 0) / 1000) * o.rate);
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`count must be a non-negative integer, got ${count}`);
  const interval = 1000 / o.rate;
  if ((o.arrivals ?? "uniform") === "uniform") return Array.from({ length: count }, (_, i) => i * interval);
  const random = seededRandom(o.seed ?? 1);
  const times: number[] = [];
  let t = 0;
  for (let i = 0; i < count; i++) {
    times.push(t);
    t += -Math.log(1 - random()) * interval;
  }
  return times;
}
