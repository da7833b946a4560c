import type { Mode } from "../../services/common/config.js";
import { waterfallChart } from "./svg-waterfall.js";
import { escapeHtml } from "../../services/domain/html.js";
import type { TimelinePoint } from "./load-generator.js";
import { MODE_NAME, RAW_HEADER, rawRows, runOf, type LabReport } from "./lab-report.js";
import { AUDIT_COLUMNS, STEP_HEADER, capacityRows, cpuRows, figureRows, stepRows, systemRuns } from "./report-md.js";
import { explain, verdictRows } from "./report-text.js";
import type { ModeRun, ScenarioResult } from "./scenarios.js";
import { barChart, lineChart, type Series } from "./svg-charts.js";

const COLOR: Record<Mode, string> = { grpc: "#d9480f", nats: "#1c7ed6" };
const RAW_COLOR: Record<Mode, string> = { grpc: "#ffa94d", nats: "#74c0fc" };
const NAME = MODE_NAME;

function table(header: string[], rows: Array<Array<string | number>>): string {
  return `<table><thead><tr>${header.map((h) => `<th>${escapeHtml(h)}</th>`).join("")}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(String(c))}</td>`).join("")}</tr>`)
    .join("")}</tbody></table>`;
}

const seconds = (ms: number) => Math.round(ms) / 1000;

function perSecond(points: TimelinePoint[], key: "completed" | "errors" | "sent"): Array<[number, number]> {
  const width = points.length > 1 ? points[1]!.t - points[0]!.t : 1000;
  return points.map((p) => [seconds(p.t), Math.round((p[key] * 1000) / width)]);
}

/** Calls (or publishes) sent but not yet answered, from the client's side. */
function outstanding(points: TimelinePoint[]): Array<[number, number]> {
  let open = 0;
  return points.map((p) => {
    open += p.sent - p.accepted - p.errors;
    return [seconds(p.t), Math.max(0, open)];
  });
}

function timelineChart(title: string, runs: ModeRun[]): string {
  const series: Series[] = [];
  for (const r of runs) {
    if (!r.load) continue;
    series.push({ name: `${NAME[r.mode]} completed/s`, color: COLOR[r.mode], points: perSecond(r.load.timeline, "completed") });
    if (Object.keys(r.load.errors).length > 0)
      series.push({ name: `${NAME[r.mode]} errors/s`, color: COLOR[r.mode], dashed: true, points: perSecond(r.load.timeline, "errors") });
  }
  const marks = runs.flatMap((r) => (r.marks ?? []).map((m) => ({ x: seconds(m.t), label: `${NAME[r.mode]}: ${m.label}` })));
  return lineChart(title, "seconds since start", "orders per second", series, marks);
}

function queueCharts(title: string, run: ModeRun | undefined, limit?: number): string[] {
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
function waterfallPair(s: ScenarioResult): string[] {
  const drawn = s.runs.flatMap((r) => (r.waterfalls ?? []).map((w) => [r.mode, w] as const));
  if (drawn.length === 0) return [];
  const maxMs = Math.max(1, ...drawn.map(([, w]) => w.totalMs));
  return [`<div class="pair">${drawn.map(([mode, w]) => waterfallChart(NAME[mode], w, maxMs)).join("")}</div>`];
}

function charts(s: ScenarioResult, report: LabReport): string[] {
  const x = runOf(s, "nats");
  const loaded = s.runs.filter((r) => r.load);
  switch (s.id) {
    case "baseline": {
      const cats = ["accept p50", "accept p99", "complete p50", "complete p90", "complete p99"];
      const series = loaded.map((r) => ({
        name: NAME[r.mode],
        color: COLOR[r.mode],
        values: [r.load!.accept.p50, r.load!.accept.p99, r.load!.complete.p50, r.load!.complete.p90, r.load!.complete.p99],
      }));
      for (const r of report.raw)
        if (r.load)
          series.push({
            name: `bare ${NAME[r.mode]}`,
            color: RAW_COLOR[r.mode],
            values: [r.load.accept.p50, r.load.accept.p99, r.load.complete.p50, r.load.complete.p90, r.load.complete.p99],
          });
      return [
        barChart("Latency percentiles at the baseline rate (ms)", "milliseconds", cats, series),
        timelineChart("Completions over time at the baseline rate", loaded),
      ];
    }
    case "capacity": {
      const p99: Series[] = [];
      const thr: Series[] = [];
      // The first round's probes, by rate: later rounds probe again near the answer.
      const byRate = (r: ModeRun) => (r.steps ?? []).filter((st) => st.round === 1).sort((a, b) => a.rate - b.rate);
      for (const r of s.runs) {
        p99.push({ name: `${NAME[r.mode]} p99`, color: COLOR[r.mode], points: byRate(r).map((st) => [st.rate, st.complete.p99]) });
        thr.push({ name: NAME[r.mode], color: COLOR[r.mode], points: byRate(r).map((st) => [st.rate, st.throughputPerSec]) });
      }
      for (const r of s.raw ?? []) {
        p99.push({ name: `bare ${NAME[r.mode]} p99`, color: RAW_COLOR[r.mode], dashed: true, points: byRate(r).map((st) => [st.rate, st.complete.p99]) });
        thr.push({ name: `bare ${NAME[r.mode]}`, color: RAW_COLOR[r.mode], dashed: true, points: byRate(r).map((st) => [st.rate, st.throughputPerSec]) });
      }
      return [
        lineChart("Completion p99 as the offered rate steps up", "offered orders per second", "p99 ms", p99, [
          { x: 0, label: `bound ${report.settings.p99BoundMs} ms` },
        ]),
        lineChart("Throughput as the offered rate steps up", "offered orders per second", "completed per second", thr),
      ];
    }
    case "traces":
      return waterfallPair(s);
    case "scale-out":
      return [timelineChart("A second billing replica started midway: completions over time", loaded)];
    case "down":
      return [
        timelineChart("Billing stopped and restarted: completions and errors", loaded),
        ...queueCharts("NATS: backlog while billing was down", x),
        ...waterfallPair(s),
      ];
    case "overload": {
      const client: Series[] = loaded.map((r) => ({
        name: `${NAME[r.mode]} waiting for an answer`,
        color: COLOR[r.mode],
        points: outstanding(r.load!.timeline),
      }));
      return [
        timelineChart("Overload: completions and errors over time", loaded),
        lineChart("Overload: requests the client is still waiting on", "seconds since start", "requests", client),
        ...queueCharts("NATS under overload: the backlog grows, then drains", x, report.settings.overloadLimit),
      ];
    }
    case "crash":
      return [timelineChart("Order service killed and restarted: completions and errors", loaded)];
    default:
      return [];
  }
}

function scenarioHtml(s: ScenarioResult, report: LabReport): string {
  const parts = [`<section id="${s.id}"><h2>${escapeHtml(s.title)}</h2>`];
  const figures = charts(s, report).filter(Boolean);
  parts.push(
    `<div class="row"><div class="charts">${figures.map((c) => `<figure>${c}</figure>`).join("")}</div><p class="explain">${escapeHtml(explain(s, report))}</p></div>`,
  );
  if (s.id === "addresses") {
    const rows = s.runs.flatMap((r) =>
      Object.entries(r.addresses ?? {}).map(([svc, env]) => [
        NAME[r.mode],
        svc,
        Object.entries(env)
          .map(([k, v]) => `${k}=${v}`)
          .join("  ") || "none",
      ]),
    );
    parts.push(table(["mode", "service", "addresses it was configured with"], rows));
  } else {
    const all = systemRuns(s);
    const rows = figureRows(all.map(([, r]) => r));
    if (rows.length) parts.push(table(["", ...all.map(([name]) => name)], rows));
    if (s.id === "baseline" && all.some(([, r]) => r.cpu))
      parts.push(
        `<h3>CPU ms per order at the baseline rate, by process</h3>${table(["process", ...all.filter(([, r]) => r.cpu).map(([n]) => n)], cpuRows(all))}`,
      );
    if (s.id === "capacity") {
      parts.push(table(["", ...all.map(([name]) => name)], capacityRows(all)));
      for (const [name, r] of all) parts.push(`<h3>${escapeHtml(name)}: every probe</h3>${table(STEP_HEADER, stepRows(r))}`);
    }
    const audited = s.runs.filter((r) => r.audit);
    if (audited.length)
      parts.push(
        `<h3>Audit</h3>${table(
          ["mode", ...AUDIT_COLUMNS.map(([, l]) => l)],
          audited.map((r) => [NAME[r.mode], ...AUDIT_COLUMNS.map(([k]) => r.audit![k])]),
        )}`,
      );
  }
  parts.push("</section>");
  return parts.join("\n");
}

export function renderHtml(report: LabReport): string {
  const m = report.machine;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>grpc-vs-nats comparison ${escapeHtml(report.createdAt)}</title>
<style>
body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:78rem;color:#212529;padding:0 1rem}
h1{margin-bottom:.2rem} .meta{color:#495057} section{border-top:1px solid #dee2e6;margin-top:2rem;padding-top:.5rem}
.row{display:flex;gap:1.5rem;align-items:flex-start;flex-wrap:wrap} .charts{flex:2 1 40rem} .explain{flex:1 1 18rem;font-size:1.05rem;line-height:1.5;background:#f8f9fa;padding:1rem;border-radius:6px}
figure{margin:0 0 1rem 0} svg.chart{width:100%;max-width:640px;height:auto;font-size:11px;background:#fff;border:1px solid #e9ecef}
.pair{display:flex;gap:1rem;flex-wrap:wrap;align-items:flex-start} .pair svg.chart{flex:1 1 30rem} svg .span-out{fill:#495057} svg .span-in{fill:#212529}
svg .grid{stroke:#e9ecef} svg .axis{fill:#495057;font-size:12px} svg .mark{stroke:#868e96;stroke-dasharray:3 3} svg .mark-label{fill:#495057;font-size:10px} svg .value{font-size:9px;fill:#495057}
table{border-collapse:collapse;margin:.5rem 0 1rem;font-size:.9rem} th,td{border-bottom:1px solid #dee2e6;padding:.3rem .6rem;text-align:left}
</style></head><body>
<h1>gRPC vs NATS JetStream: one order workflow, measured</h1>
<p class="meta">Run ${escapeHtml(report.createdAt)} · ${escapeHtml(report.settings.profile)} profile · seed ${report.settings.seed} · ${Math.round(report.durationMs / 1000)} s${report.secure ? " · the modes ran the secure profile (mutual TLS, NKeys) in every scenario; the bare chains stay plain" : ""}<br>
Machine: ${m.cpus} × ${escapeHtml(m.cpuModel)}, ${m.memoryGb} GiB · Node ${escapeHtml(m.node)} · nats-server ${escapeHtml(m.natsServer)}</p>
<section id="verdict"><h2>At a glance</h2>
${table(["scenario", "gRPC", "NATS"], verdictRows(report))}
</section>
<section id="raw"><h2>Raw transports</h2>
<p>The same payload through a bare grpc-js chain (client → A, which calls B and C) and a bare JetStream chain (publish → consumer → two publishes → two consumers). Ratios to them make figures from noisy machines comparable.</p>
${table(RAW_HEADER, rawRows(report))}
</section>
${report.scenarios.map((s) => scenarioHtml(s, report)).join("\n")}
</body></html>
`;
}
