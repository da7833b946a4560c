import type { AuditLine } from "../../services/audit/audit.js";
import { MODE_NAME, RAW_HEADER, rawRows, type LabReport } from "./lab-report.js";
import { explain } from "./report-text.js";
import type { ModeRun, ScenarioResult } from "./scenarios.js";
import { show } from "./show.js";

export function mdTable(header: string[], rows: Array<Array<string | number>>): string {
  return [`| ${header.join(" | ")} |`, `|${header.map(() => "---").join("|")}|`, ...rows.map((r) => `| ${r.join(" | ")} |`)].join("\n");
}

export const AUDIT_COLUMNS: Array<[keyof AuditLine, string]> = [
  ["sent", "sent"],
  ["accepted", "accepted"],
  ["completed", "completed"],
  ["failedToClient", "failed to client"],
  ["recovered", "recovered"],
  ["lost", "lost"],
  ["incomplete", "incomplete"],
  ["duplicateInvoices", "dup. invoices"],
  ["duplicateEmails", "dup. e-mails"],
  ["resentEmails", "retried e-mail sends"],
  ["unexpected", "unexpected"],
  ["falseSuccess", "false success"],
];

/** Rows of label -> value per mode: load figures first, then the scenario's own. */
export function figureRows(runs: ModeRun[]): Array<[string, ...string[]]> {
  const rows: Array<[string, ...string[]]> = [];
  const add = (label: string, get: (r: ModeRun) => unknown) => {
    const values = runs.map((r) => get(r));
    if (values.every((v) => v === undefined)) return;
    rows.push([label, ...values.map((v) => (v === undefined ? "–" : show(v)))]);
  };
  add("offered rate (orders/s)", (r) => r.load?.rate);
  add("sent / completed", (r) => r.load && `${r.load.sent} / ${r.load.completed}`);
  add("accept p50 / p90 / p99 (ms)", (r) => r.load && `${r.load.accept.p50} / ${r.load.accept.p90} / ${r.load.accept.p99}`);
  add("complete p50 / p90 / p99 (ms)", (r) => r.load && `${r.load.complete.p50} / ${r.load.complete.p90} / ${r.load.complete.p99}`);
  add("throughput (completed/s)", (r) => r.load?.throughputPerSec);
  add(
    "errors",
    (r) =>
      r.load &&
      (Object.entries(r.load.errors)
        .map(([k, v]) => `${k} ${v}`)
        .join(", ") ||
        "none"),
  );
  const keys = [...new Set(runs.flatMap((r) => Object.keys(r.figures)))];
  for (const k of keys) add(k, (r) => r.figures[k]);
  return rows;
}

function scenarioMd(s: ScenarioResult, report: LabReport): string {
  const out = [`## ${s.title}`, "", explain(s, report), ""];
  const runs = s.runs;
  if (s.id === "addresses") {
    const rows = runs.flatMap((r) =>
      Object.entries(r.addresses ?? {}).map(([svc, env]) => [
        MODE_NAME[r.mode],
        svc,
        Object.entries(env)
          .map(([k, v]) => `\`${k}=${v}\``)
          .join("<br>") || "none",
      ]),
    );
    out.push(mdTable(["mode", "service", "addresses it was configured with"], rows));
    return out.join("\n");
  }
  const rows = figureRows(runs);
  if (rows.length > 0) out.push(mdTable(["", ...runs.map((r) => MODE_NAME[r.mode])], rows), "");
  if (s.id === "capacity") {
    for (const r of runs) {
      out.push(`${MODE_NAME[r.mode]} steps:`, "");
      out.push(
        mdTable(
          ["rate", "sent", "completed", "complete p50", "p99", "errors"],
          (r.steps ?? []).map((st) => [st.rate, st.sent, st.completed, st.complete.p50, st.complete.p99, Object.values(st.errors).reduce((a, b) => a + b, 0)]),
        ),
        "",
      );
    }
  }
  const audited = runs.filter((r) => r.audit);
  if (audited.length > 0) {
    out.push("Audit (from the three services' databases):", "");
    out.push(
      mdTable(
        ["mode", ...AUDIT_COLUMNS.map(([, l]) => l)],
        audited.map((r) => [MODE_NAME[r.mode], ...AUDIT_COLUMNS.map(([k]) => r.audit![k])]),
      ),
    );
  }
  return out.join("\n");
}

export function renderMarkdown(report: LabReport): string {
  const m = report.machine;
  return [
    "# grpc-vs-nats comparison report",
    "",
    `Run ${report.createdAt} (${report.settings.profile} profile, seed ${report.settings.seed}, ${Math.round(report.durationMs / 1000)} s).`,
    `Machine: ${m.cpus} × ${m.cpuModel}, ${m.memoryGb} GiB, ${m.platform}; Node ${m.node}; nats-server ${m.natsServer}.`,
    "Figures from one machine are noisy; the ratios to the bare transport chains below travel better.",
    "",
    "## Raw transports",
    "",
    "The same payload through a bare grpc-js chain (client → A, which calls B and C) and a bare JetStream chain (publish → consumer → two publishes → two consumers), with no business logic or database.",
    "",
    mdTable(RAW_HEADER, rawRows(report)),
    "",
    ...report.scenarios.map((s) => scenarioMd(s, report) + "\n"),
  ].join("\n");
}
