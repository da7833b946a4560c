import { escapeHtml } from "../../services/domain/html.js";
import { NET_NOTE } from "./format.js";
import { METHODS, SCALE_NOTE } from "./methods.js";
import type { LabReport, ScenarioResult } from "../results.js";
import { explanation, verdictRows, viewOf, type ScenarioView } from "./scenario-view.js";
import { auditTable, capacityModelTable, figureTable, findingsTable, rawTable, type Cell, type ReportTable } from "./tables.js";

const cell = (c: Cell) => escapeHtml(String(c)).replace(/\n/g, "<br>");

function table(t: ReportTable | undefined, heading: "h3" | "none" = "h3"): string {
  if (!t) return "";
  const caption = t.caption && heading === "h3" ? `<h3>${escapeHtml(t.caption)}</h3>` : "";
  return `${caption}<table><thead><tr>${t.header.map((h) => `<th>${cell(h)}</th>`).join("")}</tr></thead><tbody>${t.rows
    .map((r) => `<tr>${r.map((c) => `<td>${cell(c)}</td>`).join("")}</tr>`)
    .join("")}</tbody></table>`;
}

function scenarioHtml(s: ScenarioResult, report: LabReport, view: ScenarioView): string {
  const figures = view.charts(s, report).filter(Boolean);
  return [
    `<section id="${escapeHtml(s.id)}"><h2>${escapeHtml(s.title)}</h2>`,
    `<div class="row"><div class="charts">${figures.map((c) => `<figure>${c}</figure>`).join("")}</div><p class="explain">${escapeHtml(explanation(view, s, report))}</p></div>`,
    table(figureTable(s, view.figureLabels)),
    ...view.tables(s, report).map((t) => table(t)),
    table(auditTable(s)),
    "</section>",
  ].join("\n");
}

/** The capacity model's section, when the run measured enough for it. */
function scaleHtml(report: LabReport): string {
  const t = capacityModelTable(report);
  return t ? `<section id="scale"><h2>What each style needs at scale</h2>\n<p>${escapeHtml(SCALE_NOTE)}</p>\n${table(t)}\n</section>` : "";
}

export function renderHtml(report: LabReport, views: readonly ScenarioView[]): string {
  const m = report.machine;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>grpc-vs-nats comparison ${escapeHtml(report.createdAt)}</title>
<style>
body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:78rem;color:#212529;padding:0 1rem}
h1{margin-bottom:.2rem} .meta{color:#495057} section{border-top:1px solid #dee2e6;margin-top:2rem;padding-top:.5rem}
.row{display:flex;gap:1.5rem;align-items:flex-start;flex-wrap:wrap} .charts{flex:2 1 40rem} .explain{flex:1 1 18rem;font-size:1.05rem;line-height:1.5;background:#f8f9fa;padding:1rem;border-radius:6px}
figure{margin:0 0 1rem 0} svg.chart{width:100%;max-width:640px;height:auto;font-size:11px;background:#fff;border:1px solid #e9ecef}
.pair{display:flex;gap:1rem;flex-wrap:wrap;align-items:flex-start} .pair svg.chart{flex:1 1 30rem} svg .span-out{fill:#495057} svg .span-in{fill:#212529}
svg .grid{stroke:#e9ecef} svg .axis{fill:#495057;font-size:12px} svg .mark{stroke:#868e96;stroke-dasharray:3 3} svg .mark-label{fill:#495057;font-size:10px} svg .band{fill:#fa5252;fill-opacity:.12} svg .value{font-size:9px;fill:#495057}
table{border-collapse:collapse;margin:.5rem 0 1rem;font-size:.9rem} th,td{border-bottom:1px solid #dee2e6;padding:.3rem .6rem;text-align:left}
</style></head><body>
<h1>gRPC vs NATS JetStream: one order workflow, measured</h1>
<p class="meta">Run ${escapeHtml(report.createdAt)} · ${escapeHtml(report.settings.profile)} profile · seed ${report.settings.seed} · ${Math.round(report.durationMs / 1000)} s${report.secure ? " · the modes ran the secure profile (mutual TLS, NKeys) in every scenario; the bare chains stay plain" : ""}${report.net ? ` · ${NET_NOTE}` : ""}<br>
Machine: ${m.cpus} × ${escapeHtml(m.cpuModel)}, ${m.memoryGb} GiB · Node ${escapeHtml(m.node)} · nats-server ${escapeHtml(m.natsServer)}</p>
<section id="verdict"><h2>At a glance</h2>
${report.findings.length > 0 ? table(findingsTable(report), "none") : ""}
${table({ header: ["scenario", "gRPC", "NATS"], rows: verdictRows(report, views) }, "none")}
</section>
${scaleHtml(report)}
<section id="methods"><h2>How to read the figures</h2>
${METHODS(report)
  .map((p) => `<p>${escapeHtml(p)}</p>`)
  .join("\n")}
</section>
<section id="raw"><h2>Raw transports</h2>
<p>The same payload through a bare grpc-js chain (client → A, which calls B and C) and a bare JetStream chain (publish → consumer → two publishes → two consumers). Ratios to them make figures from noisy machines comparable.</p>
${table(rawTable(report))}
</section>
${report.scenarios.map((s) => scenarioHtml(s, report, viewOf(views, s))).join("\n")}
</body></html>
`;
}
