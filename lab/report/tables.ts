// Tables both renderers draw, as plain rows: Markdown and HTML only differ in how they write them.
import { cpuText, show, sustainedRateText } from "./format.js";
import { MODE_NAME, type AuditLine, type LabReport, type ModeRun, type ScenarioResult, type Waterfall } from "../results.js";

export type Cell = string | number;

/** One table of a report; a cell's line breaks are kept by either renderer. */
export interface ReportTable {
  caption?: string;
  header: string[];
  rows: Cell[][];
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

/** A scenario's modes and, where it measured them, the bare chains, with their display names. */
export function systemRuns(s: ScenarioResult): Array<[string, ModeRun]> {
  return [
    ...s.runs.map((r): [string, ModeRun] => [MODE_NAME[r.mode], r]),
    ...(s.raw ?? []).map((r): [string, ModeRun] => [`bare ${MODE_NAME[r.mode]} chain`, r]),
  ];
}

/** Rows of label -> value per system: load figures first, then the scenario's own (those it has labels for). */
export function figureTable(s: ScenarioResult, labels: Readonly<Record<string, string>>): ReportTable | undefined {
  const all = systemRuns(s);
  const rows: Cell[][] = [];
  const add = (label: string, get: (r: ModeRun) => unknown) => {
    const values = all.map(([, r]) => get(r));
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
  for (const [k, label] of Object.entries(labels)) add(label, (r) => r.figures[k]);
  return rows.length > 0 ? { header: ["", ...all.map(([name]) => name)], rows } : undefined;
}

/** CPU ms per order per process, for the systems that measured it (a column per system). */
export function cpuTable(s: ScenarioResult, caption: string): ReportTable | undefined {
  const measured = systemRuns(s).filter(([, r]) => r.cpu);
  if (measured.length === 0) return undefined;
  const processes = [...new Set(measured.flatMap(([, r]) => Object.keys(r.cpu!.processes)))];
  const rows: Cell[][] = processes.map((p) => [p, ...measured.map(([, r]) => show(r.cpu!.processes[p] ?? "–"))]);
  rows.push(["nats-server", ...measured.map(([, r]) => (r.cpu!.broker === null ? "–" : show(r.cpu!.broker)))]);
  rows.push(["all processes", ...measured.map(([, r]) => show(Math.round((r.cpu!.total + (r.cpu!.broker ?? 0)) * 100) / 100))]);
  return { caption, header: ["process", ...measured.map(([n]) => n)], rows };
}

export function auditTable(s: ScenarioResult): ReportTable | undefined {
  const audited = s.runs.filter((r) => r.audit);
  if (audited.length === 0) return undefined;
  return {
    caption: "Audit (from the three services' databases)",
    header: ["mode", ...AUDIT_COLUMNS.map(([, l]) => l)],
    rows: audited.map((r) => [MODE_NAME[r.mode], ...AUDIT_COLUMNS.map(([k]) => r.audit![k])]),
  };
}

/** One recorded order, span by span (the HTML report also draws it). */
export function waterfallTable(mode: ModeRun["mode"], w: Waterfall): ReportTable {
  return {
    caption: `${MODE_NAME[mode]}: ${w.caption}; trace ${w.traceId}, ${w.totalMs} ms, the client waited ${w.clientWaitMs} ms`,
    header: ["service", "span", "start (ms)", "duration (ms)", "note"],
    rows: w.rows.map((r) => [
      r.service,
      `${"· ".repeat(r.depth)}${r.name}`,
      r.startMs,
      r.durationMs,
      [
        r.delivery && r.delivery > 1 ? `delivery ${r.delivery}` : "",
        r.waitedMs !== undefined ? `waited ${r.waitedMs} ms in the stream` : "",
        r.failed ? `failed: ${r.failed}` : "",
      ]
        .filter(Boolean)
        .join("; "),
    ]),
  };
}

/** The bare chains against their modes: the table that opens the report after the findings. */
export function rawTable(report: LabReport): ReportTable {
  return {
    header: [
      "chain",
      "complete p50 (ms)",
      "p99 (ms)",
      "CPU ms per order",
      "sustained rate (median of rounds)",
      "mode p50 ÷ bare p50",
      "mode CPU ÷ bare CPU",
      "mode ÷ bare, saturated",
    ],
    rows: report.raw.map((r) => [
      `bare ${MODE_NAME[r.mode]} chain`,
      r.load?.complete.p50 ?? "–",
      r.load?.complete.p99 ?? "–",
      r.cpu ? cpuText(r.cpu.total, r.cpu.broker) : "–",
      sustainedRateText(r),
      report.ratios[r.mode]?.p50Ratio ?? "–",
      report.ratios[r.mode]?.cpuRatio ?? "–",
      report.ratios[r.mode]?.capacityRatio ?? "–",
    ]),
  };
}

export function findingsTable(report: LabReport): ReportTable {
  return {
    header: ["finding", "estimate (95 % interval)", "verdict", "rounds"],
    rows: report.findings.map((f) => [f.label, `${f.estimate} ${f.unit} (${f.low} to ${f.high})`, f.text, f.rounds]),
  };
}

/** The capacity model of each mode, side by side: what it costs per order, and what it needs at scale. */
export function capacityModelTable(report: LabReport): ReportTable | undefined {
  const models = (["grpc", "nats"] as const).flatMap((m) => {
    const model = report.summary.capacityModel?.[m];
    return model ? [[m, model] as const] : [];
  });
  if (models.length === 0) return undefined;
  const first = models[0]![1];
  const row = (label: string, f: (model: (typeof models)[number][1]) => Cell): Cell[] => [label, ...models.map(([, model]) => f(model))];
  const rates = first.at.map((a) => a.ordersPerSec);
  return {
    caption: `Cores planned at ${Math.round(first.utilisation * 100)} % use; a Node.js process uses at most one core`,
    header: ["", ...models.map(([m]) => MODE_NAME[m])],
    rows: [
      row("CPU per order measured", (x) =>
        x.cpuBasis === "saturated" ? `saturated, at ${x.measuredAtRate} orders/s` : `at the warm rate, ${x.measuredAtRate} orders/s`,
      ),
      row("CPU ms per order, services", (x) =>
        [`${x.cpuMsPerOrder.servicesTotal}`, ...Object.entries(x.cpuMsPerOrder.services).map(([k, v]) => `${k} ${v}`)].join("\n"),
      ),
      row("CPU ms per order, broker", (x) =>
        x.cpuMsPerOrder.broker === null
          ? "none"
          : `${x.cpuMsPerOrder.broker} one server\n${x.cpuMsPerOrder.brokerReplicated} at 3 replicas (×${x.cpuMsPerOrder.replicationFactor}, ${x.cpuMsPerOrder.replicationFrom})`,
      ),
      row("cores per 10,000 orders/s", (x) => x.coresPer10kOrdersPerSec),
      ...rates.map((rate, i) =>
        row(`at ${rate.toLocaleString("en")} orders/s`, (x) => {
          const a = x.at[i]!;
          const procs = Object.entries(a.serviceProcesses)
            .map(([k, v]) => `${k} ×${v}`)
            .join(", ");
          return `${a.cores} cores${a.brokerCores === null ? "" : ` (broker ${a.brokerCores})`}\n${procs}${a.serviceMemoryMiB === null ? "" : `\nservices' memory ${a.serviceMemoryMiB} MiB`}`;
        }),
      ),
      row("one stream's leader becomes the limit at", (x) =>
        x.streamLeaderLimitOrdersPerSec === null ? "no broker" : `about ${x.streamLeaderLimitOrdersPerSec} orders/s`,
      ),
      row("this machine, predicted from CPU per order (client included)", (x) => `${x.predictedCapacityHere} orders/s, set by ${x.predictedLimit}`),
      row("this machine, predicted from the warm rate's CPU per order", (x) => `${x.predictedFromWarmRate} orders/s`),
      row("this machine, measured (capacity scenario, saturated)", (x) =>
        x.measuredCapacityHere === null ? "–" : `${x.measuredCapacityHere} orders/s (${x.measuredOverPredicted}× the prediction)`,
      ),
      row("what limits it here", (x) => x.limitHere),
    ],
  };
}
