// What one load run measured, as the load generator reports it and the lab's results keep it.

export interface LatencySummary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

export interface TimelinePoint {
  t: number;
  sent: number;
  accepted: number;
  completed: number;
  errors: number;
}

/** One load run, without its per-order outcomes. */
export interface LoadSummary {
  target: string;
  rate: number;
  sent: number;
  accepted: number;
  completed: number;
  errors: Record<string, number>;
  accept: LatencySummary;
  complete: LatencySummary;
  /** Completed orders per second between the first send and the last completion. */
  throughputPerSec: number;
  durationMs: number;
  timeline: TimelinePoint[];
}
