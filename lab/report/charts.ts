// The charts scenarios draw in the HTML report, from the results model alone.
import { MODE_NAME, type Mode, type ModeRun, type ScenarioResult, type TimelinePoint } from "../results.js";
import { lineChart, type Band, type Series } from "./svg-charts.js";
import { waterfallChart } from "./svg-waterfall.js";

export const COLOR: Record<Mode, string> = { grpc: "#d9480f", nats: "#1c7ed6" };
export const RAW_COLOR: Record<Mode, string> = { grpc: "#ffa94d", nats: "#74c0fc" };

export const seconds = (ms: number) => Math.round(ms) / 1000;

export function perSecond(points: TimelinePoint[], key: "completed" | "errors" | "sent"): Array<[number, number]> {
  const width = points.length > 1 ? points[1]!.t - points[0]!.t : 1000;
  return points.map((p) => [seconds(p.t), Math.round((p[key] * 1000) / width)]);
}

/** Calls (or publishes) sent but not yet answered, from the client's side. */
export function outstanding(points: TimelinePoint[]): Array<[number, number]> {
  let open = 0;
  return points.map((p) => {
    open += p.sent - p.accepted - p.errors;
    return [seconds(p.t), Math.max(0, open)];
  });
}

/** Orders completed (and failed) per second for each run, its marks as lines and `bands` (seconds) shaded. */
export function timelineChart(title: string, runs: ModeRun[], bands: Band[] = []): string {
  const series: Series[] = [];
  for (const r of runs) {
    if (!r.load) continue;
    series.push({ name: `${MODE_NAME[r.mode]} completed/s`, color: COLOR[r.mode], points: perSecond(r.load.timeline, "completed") });
    if (Object.keys(r.load.errors).length > 0)
      series.push({ name: `${MODE_NAME[r.mode]} errors/s`, color: COLOR[r.mode], dashed: true, points: perSecond(r.load.timeline, "errors") });
  }
  const marks = runs.flatMap((r) => (r.marks ?? []).map((m) => ({ x: seconds(m.t), label: `${MODE_NAME[r.mode]}: ${m.label}` })));
  return lineChart(title, "seconds since start", "orders per second", series, marks, bands);
}

export function queueCharts(title: string, run: ModeRun | undefined, limit?: number): string[] {
  if (!run?.queue?.length) return [];
  const marks = (run.marks ?? []).map((m) => ({ x: seconds(m.t), label: m.label }));
  const backlog = lineChart(
    title,
    "seconds since start",
    "messages waiting",
    [{ name: "backlog in the work streams", color: COLOR.nats, points: run.queue.map((q) => [seconds(q.t), q.backlog]) }],
    marks,
  );
  if (!limit) return [backlog];
  const inFlight: Series[] = [
    { name: "in flight, busiest consumer", color: "#2b8a3e", points: run.queue.map((q) => [seconds(q.t), q.maxConsumerAckPending]) },
    { name: "max_ack_pending", color: "#868e96", dashed: true, points: run.queue.map((q) => [seconds(q.t), limit]) },
  ];
  return [backlog, lineChart("NATS: work in flight stays at the consumer's limit", "seconds since start", "messages in flight", inFlight, marks)];
}

/** The scenario's recorded orders, one waterfall per mode side by side on one time axis. */
export function waterfallPair(s: ScenarioResult): string[] {
  const drawn = s.runs.flatMap((r) => (r.waterfalls ?? []).map((w) => [r.mode, w] as const));
  if (drawn.length === 0) return [];
  const maxMs = Math.max(1, ...drawn.map(([, w]) => w.totalMs));
  return [`<div class="pair">${drawn.map(([mode, w]) => waterfallChart(MODE_NAME[mode], w, maxMs)).join("")}</div>`];
}
