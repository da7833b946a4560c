// How the lab turns repeated, interleaved rounds into an estimate with a 95 % interval.
import type { Finding } from "./results.js";

/** The median and the spread of a list of figures (the rounds of a measurement). */
export function medianAndSpread(values: readonly number[]): { median: number; min: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length === 0 ? 0 : sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0] ?? 0, max: sorted.at(-1) ?? 0 };
}

// Student's t, two-sided 95 %, by degrees of freedom (1..30); above 30 the normal value is close enough.
const T95 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069,
  2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];
export const t95 = (df: number) => (df < 1 ? Infinity : (T95[df - 1] ?? 1.96));

/** The mean of values and its 95 % interval (Student's t); an infinite interval with fewer than two values. */
export function meanInterval(values: readonly number[]): { mean: number; low: number; high: number } {
  const n = values.length;
  const mean = n === 0 ? 0 : values.reduce((a, b) => a + b, 0) / n;
  if (n < 2) return { mean, low: -Infinity, high: Infinity };
  const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1);
  const half = t95(n - 1) * Math.sqrt(variance / n);
  return { mean, low: mean - half, high: mean + half };
}

export type Comparison = "ratio" | "difference";

/** A finding's identity and words; the figures come from the rounds. */
export interface FindingSpec {
  id: string;
  label: string;
  /** "ratio": a ÷ b (no difference = 1); "difference": a − b (no difference = 0). */
  kind: Comparison;
  unit: string;
  /** Plain words for each verdict, e.g. { higher: "NATS sustains more", lower: "NATS sustains less" }. */
  words: { higher: string; lower: string };
}

const round = (v: number, digits: number) => (Number.isFinite(v) ? Math.round(v * 10 ** digits) / 10 ** digits : v);

/**
 * Compares two measurements taken side by side in each round (a[i] next to b[i]):
 * a ratio from the mean of the rounds' log ratios (a geometric mean, so that 2× and
 * 0.5× weigh alike), or a difference from the mean of the rounds' differences, each
 * with a 95 % Student's t interval over the rounds. Rounds where either side is
 * missing, or (for a ratio) not positive, are left out.
 */
export function pairedFinding(spec: FindingSpec, a: readonly number[], b: readonly number[]): Finding {
  const pairs = a
    .map((x, i) => [x, b[i]] as const)
    .filter((p): p is readonly [number, number] => p[1] !== undefined && Number.isFinite(p[0]) && Number.isFinite(p[1]));
  const usable = spec.kind === "ratio" ? pairs.filter(([x, y]) => x > 0 && y > 0) : pairs;
  const perRound = usable.map(([x, y]) => (spec.kind === "ratio" ? Math.log(x / y) : x - y));
  const { mean, low, high } = meanInterval(perRound);
  const back = (v: number) => (spec.kind === "ratio" ? Math.exp(v) : v);
  return finding(spec, back(mean), back(low), back(high), usable.length);
}

/** A sample's size, mean (0 when empty) and variance (infinite below two values). */
function sampleStats(xs: readonly number[]): { n: number; mean: number; variance: number } {
  const n = xs.length;
  const mean = n === 0 ? 0 : xs.reduce((x, y) => x + y, 0) / n;
  const variance = n < 2 ? Infinity : xs.reduce((acc, x) => acc + (x - mean) ** 2, 0) / (n - 1);
  return { n, mean, variance };
}

/**
 * Compares two independent samples (e.g. completions in each second before and after a change):
 * the ratio of their means, with a 95 % interval from the delta method and Student's t on the
 * smaller sample's degrees of freedom (a conservative stand-in for Welch's).
 */
export function unpairedRatioFinding(spec: FindingSpec & { kind: "ratio" }, a: readonly number[], b: readonly number[]): Finding {
  const x = sampleStats(a);
  const y = sampleStats(b);
  if (x.mean <= 0 || y.mean <= 0) return finding(spec, Number.NaN, -Infinity, Infinity, Math.min(x.n, y.n));
  const ratio = x.mean / y.mean;
  const se = ratio * Math.sqrt(x.variance / (x.n * x.mean ** 2) + y.variance / (y.n * y.mean ** 2));
  const half = t95(Math.min(x.n, y.n) - 1) * se;
  return finding(spec, ratio, Math.max(0, ratio - half), ratio + half, Math.min(x.n, y.n));
}

/**
 * The difference of two independent samples' means (a − b), with a 95 % Welch interval (Student's t
 * on the smaller sample's degrees of freedom, conservative), e.g. each order's answer time at two
 * settings.
 */
export function unpairedDifferenceFinding(spec: FindingSpec & { kind: "difference" }, a: readonly number[], b: readonly number[]): Finding {
  const x = sampleStats(a);
  const y = sampleStats(b);
  const estimate = x.mean - y.mean;
  const half = t95(Math.min(x.n, y.n) - 1) * Math.sqrt(x.variance / x.n + y.variance / y.n);
  return finding(spec, estimate, estimate - half, estimate + half, Math.min(x.n, y.n));
}

/** A finding from an estimate and its interval, with its verdict in words. */
export function finding(spec: FindingSpec, estimate: number, low: number, high: number, rounds: number): Finding {
  const noDifference = spec.kind === "ratio" ? 1 : 0;
  // Decided on the figures as printed, so that the verdict always follows from them.
  const [e, l, h] = [round(estimate, 2), round(low, 2), round(high, 2)];
  const verdict = l > noDifference ? "higher" : h < noDifference ? "lower" : "no measurable difference";
  const range = spec.kind === "ratio" ? `${l}–${h}×` : `${l} to ${h} ${spec.unit}`;
  const text =
    rounds < 2
      ? `not decided: ${rounds} usable round${rounds === 1 ? "" : "s"}, an interval needs two`
      : verdict === "no measurable difference"
        ? `no measurable difference (${spec.kind === "ratio" ? `${percent(low)} to ${percent(high)}` : range})`
        : `${verdict === "higher" ? spec.words.higher : spec.words.lower}: ${range}`;
  return { id: spec.id, label: spec.label, estimate: e, low: l, high: h, unit: spec.unit, noDifference, verdict, rounds, text };
}

/** A ratio as a signed percentage difference: 0.92 -> "-8 %". */
const percent = (ratio: number) => (Number.isFinite(ratio) ? `${ratio >= 1 ? "+" : ""}${Math.round((ratio - 1) * 100)} %` : ratio > 0 ? "+∞" : "-∞");

/** Whether a finding is decided: its interval lies wholly on one side of "no difference". */
export const decided = (f: Finding) => f.verdict !== "no measurable difference";
