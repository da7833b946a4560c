import type { LabReport, ScenarioResult } from "../results.js";
import { explanation, verdictRows, viewOf, type ScenarioView } from "./scenario-view.js";
import { auditTable, capacityModelTable, figureTable, findingsTable, rawTable, waterfallTable, type Cell, type ReportTable } from "./tables.js";
import { NET_NOTE } from "./format.js";
import { METHODS, SCALE_NOTE } from "./methods.js";

const cell = (c: Cell) => String(c).replace(/\|/g, "\\|").replace(/\n/g, "<br>");

export function mdTable(t: Pick<ReportTable, "header" | "rows">): string {
  return [`| ${t.header.map(cell).join(" | ")} |`, `|${t.header.map(() => "---").join("|")}|`, ...t.rows.map((r) => `| ${r.map(cell).join(" | ")} |`)].join(
    "\n",
  );
}

function tableMd(t: ReportTable | undefined): string[] {
  if (!t) return [];
  return [...(t.caption ? [`${t.caption}:`, ""] : []), mdTable(t), ""];
}

function scenarioMd(s: ScenarioResult, report: LabReport, view: ScenarioView): string {
  return [
    `## ${s.title}`,
    "",
    explanation(view, s, report),
    "",
    ...tableMd(figureTable(s, view.figureLabels)),
    ...view.tables(s, report).flatMap(tableMd),
    ...s.runs.flatMap((r) => (r.waterfalls ?? []).flatMap((w) => tableMd(waterfallTable(r.mode, w)))),
    ...tableMd(auditTable(s)),
  ].join("\n");
}

/** The capacity model's section, when the run measured enough for it. */
function scaleMd(report: LabReport): string[] {
  const t = capacityModelTable(report);
  return t ? ["## What each style needs at scale", "", SCALE_NOTE, "", ...tableMd(t), ""] : [];
}

export function renderMarkdown(report: LabReport, views: readonly ScenarioView[]): string {
  const m = report.machine;
  return [
    "# grpc-vs-nats comparison report",
    "",
    `Run ${report.createdAt} (${report.settings.profile} profile, seed ${report.settings.seed}, ${Math.round(report.durationMs / 1000)} s${report.secure ? "; the modes ran the secure profile, mutual TLS and NKeys, in every scenario; the bare chains stay plain" : ""}${report.net ? `; ${NET_NOTE}` : ""}).`,
    `Machine: ${m.cpus} × ${m.cpuModel}, ${m.memoryGb} GiB, ${m.platform}; Node ${m.node}; nats-server ${m.natsServer}.`,
    "",
    "## At a glance",
    "",
    ...(report.findings.length > 0 ? [mdTable(findingsTable(report)), ""] : []),
    mdTable({ header: ["scenario", "gRPC", "NATS"], rows: verdictRows(report, views) }),
    "",
    ...scaleMd(report),
    "## How to read the figures",
    "",
    ...METHODS(report),
    "",
    "## Raw transports",
    "",
    "The same payload through a bare grpc-js chain (client → A, which calls B and C) and a bare JetStream chain (publish → consumer → two publishes → two consumers), with no business logic or database.",
    "",
    mdTable(rawTable(report)),
    "",
    ...report.scenarios.map((s) => scenarioMd(s, report, viewOf(views, s)) + "\n"),
  ].join("\n");
}
