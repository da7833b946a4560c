import type { Waterfall } from "./waterfall.js";
import type { AuditLine } from "../../services/audit/audit.js";
import { MODE_NAME, RAW_HEADER, rawRows, sustainedRateText, type LabReport } from "./lab-report.js";
import { explain, verdictRows } from "./report-text.js";
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

/** Plain words for each scenario figure; a figure without a label here is not shown. */
export const FIGURE_LABELS: Record<string, string> = {
  cpuRounds: "CPU ms per order in each round",
  cpuSpread: "CPU ms per order, lowest–highest round",
  outageMs: "billing down for (ms)",
  sentDuringOutage: "orders sent while billing was down",
  acceptedDuringOutage: "of those, accepted",
  failedToClient: "failed to the client",
  failedShare: "failed to the client (% of sent)",
  outcomeUnknownToClient: "failed with an outcome the client could not know",
  resentCompleted: "re-sent with the same id and completed",
  drainAfterRestartMs: "backlog drained after the restart (ms)",
  limit: "in-flight limit per server or consumer",
  resourceExhausted: "shed with RESOURCE_EXHAUSTED",
  deadlineExceeded: "past the client's deadline",
  maxBacklog: "most messages waiting in the streams",
  maxConsumerAckPending: "most messages in flight at one consumer",
  drainAfterLastSendMs: "drained after the last send (ms)",
  completed: "completed",
  lost: "lost",
  duplicated: "duplicate invoices and e-mails",
  cpuMsPerOrderUntraced: "CPU ms per order, tracing off (services and broker)",
  cpuMsPerOrderTraced: "CPU ms per order, every order traced",
  tracingCostMsPerOrder: "tracing's cost (CPU ms per order)",
  tracingCostShare: "tracing's cost (share)",
  cpuRoundsUntraced: "tracing off, each round",
  cpuRoundsTraced: "traced, each round",
  spansPerOrder: "spans per order",
  cpuMsPerOrderPlain: "CPU ms per order, plain profile (services and broker)",
  cpuMsPerOrderSecure: "CPU ms per order, secure profile",
  securityCostMsPerOrder: "the secure profile's cost (CPU ms per order)",
  securityCostShare: "the secure profile's cost (share)",
  completeP50Plain: "complete p50, plain (ms)",
  completeP50Secure: "complete p50, secure (ms)",
  acceptP50Plain: "accept p50, plain (ms)",
  acceptP50Secure: "accept p50, secure (ms)",
  cpuMsPerOrderOneServer: "CPU ms per order, one server (services and broker)",
  cpuMsPerOrderThreeReplicas: "CPU ms per order, 3-node cluster, 3 replicas",
  brokerCpuOneServer: "broker CPU ms per order, one server",
  brokerCpuThreeNodes: "broker CPU ms per order, all three nodes",
  replicationCostShare: "replication's cost (share of CPU per order)",
  completeP50OneServer: "complete p50, one server (ms)",
  completeP50ThreeReplicas: "complete p50, 3 replicas (ms)",
  acceptP50OneServer: "accept p50, one server (ms)",
  acceptP50ThreeReplicas: "accept p50, 3 replicas (ms)",
  capacityOneServer: "sustained orders/s, one server (median of rounds, range)",
  capacityThreeReplicas: "sustained orders/s, 3 replicas",
  offeredRate: "offered rate (orders/s)",
  onePerReplica: "what one billing process sustains (orders/s)",
  completedPerSecBefore: "completed per second before billing-2",
  completedPerSecAfter: "completed per second after billing-2 took traffic",
  replicaTookTrafficAfterMs: "billing-2 took traffic after its start (ms)",
  failedWhileChanging: "failed to the client while the change was made",
  configurationChanged: "configuration changed",
  cpuRoundsPlain: "plain, each round",
  cpuRoundsSecure: "secure, each round",
};

/** One recorded order, span by span, as a table (the HTML report draws it). */
export function waterfallRows(w: Waterfall): Array<Array<string | number>> {
  return w.rows.map((r) => [
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
  ]);
}

export const WATERFALL_HEADER = ["service", "span", "start (ms)", "duration (ms)", "note"];

/** CPU ms per order per process, for the systems that measured it (a column per system). */
export function cpuRows(runs: Array<[string, ModeRun]>): Array<[string, ...string[]]> {
  const measured = runs.filter(([, r]) => r.cpu);
  const processes = [...new Set(measured.flatMap(([, r]) => Object.keys(r.cpu!.processes)))];
  const rows: Array<[string, ...string[]]> = processes.map((p) => [p, ...measured.map(([, r]) => show(r.cpu!.processes[p] ?? "–"))]);
  rows.push(["nats-server", ...measured.map(([, r]) => (r.cpu!.broker === null ? "–" : show(r.cpu!.broker)))]);
  rows.push(["all processes", ...measured.map(([, r]) => show(Math.round((r.cpu!.total + (r.cpu!.broker ?? 0)) * 100) / 100))]);
  return rows;
}

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
  for (const k of keys) if (FIGURE_LABELS[k]) add(FIGURE_LABELS[k], (r) => r.figures[k]);
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
  const all = systemRuns(s);
  const rows = figureRows(all.map(([, r]) => r));
  if (rows.length > 0) out.push(mdTable(["", ...all.map(([name]) => name)], rows), "");
  if (s.id === "baseline" && all.some(([, r]) => r.cpu)) {
    out.push("CPU ms per order at the baseline rate, by process:", "", mdTable(["process", ...all.filter(([, r]) => r.cpu).map(([n]) => n)], cpuRows(all)), "");
  }
  if (s.id === "capacity") {
    out.push(mdTable(["", ...all.map(([name]) => name)], capacityRows(all)), "");
    for (const [name, r] of all) {
      out.push(`${name}: every probe (CPU ms per order by process; nats-server separately)`, "");
      out.push(mdTable(STEP_HEADER, stepRows(r)), "");
    }
  }
  for (const r of runs)
    for (const w of r.waterfalls ?? []) {
      out.push(`${MODE_NAME[r.mode]}: ${w.caption}; trace ${w.traceId}, ${w.totalMs} ms, the client waited ${w.clientWaitMs} ms`, "");
      out.push(mdTable(WATERFALL_HEADER, waterfallRows(w)), "");
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

/** A scenario's modes and, where it measured them, the bare chains, with their display names. */
export function systemRuns(s: ScenarioResult): Array<[string, ModeRun]> {
  return [
    ...s.runs.map((r): [string, ModeRun] => [MODE_NAME[r.mode], r]),
    ...(s.raw ?? []).map((r): [string, ModeRun] => [`bare ${MODE_NAME[r.mode]} chain`, r]),
  ];
}

export function capacityRows(all: Array<[string, ModeRun]>): Array<Array<string | number>> {
  return [
    ["sustained orders/s (median, lowest–highest round)", ...all.map(([, r]) => sustainedRateText(r))],
    ["each round", ...all.map(([, r]) => r.capacity?.rounds.join(" / ") ?? "–")],
    [
      "peak memory (MiB)",
      ...all.map(([, r]) =>
        Object.entries(r.rssMiBPeak ?? {})
          .map(([k, v]) => `${k} ${v}`)
          .join(", "),
      ),
    ],
  ];
}

export const STEP_HEADER = ["round", "rate", "held", "sent", "completed", "p50 ms", "p99 ms", "errors", "CPU ms per order"];

export function stepRows(r: ModeRun): Array<Array<string | number>> {
  return (r.steps ?? []).map((st) => [
    st.round,
    st.rate,
    st.held ? "yes" : "no",
    st.sent,
    st.completed,
    st.complete.p50,
    st.complete.p99,
    Object.values(st.errors).reduce((a, b) => a + b, 0),
    [...Object.entries(st.cpu.processes).map(([k, v]) => `${k} ${v}`), ...(st.cpu.broker === null ? [] : [`nats-server ${st.cpu.broker}`])].join(", "),
  ]);
}

export function renderMarkdown(report: LabReport): string {
  const m = report.machine;
  return [
    "# grpc-vs-nats comparison report",
    "",
    `Run ${report.createdAt} (${report.settings.profile} profile, seed ${report.settings.seed}, ${Math.round(report.durationMs / 1000)} s${report.secure ? "; the modes ran the secure profile, mutual TLS and NKeys, in every scenario; the bare chains stay plain" : ""}).`,
    `Machine: ${m.cpus} × ${m.cpuModel}, ${m.memoryGb} GiB, ${m.platform}; Node ${m.node}; nats-server ${m.natsServer}.`,
    "Figures from one machine are noisy; the ratios to the bare transport chains below travel better.",
    "",
    "## At a glance",
    "",
    mdTable(["scenario", "gRPC", "NATS"], verdictRows(report)),
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
