import { cpuText, sustainedRateText, type LabReport } from "./lab-report.js";
import type { ModeRun, ScenarioResult } from "./scenarios.js";
import { show } from "./show.js";

const KEY: Record<ScenarioResult["id"], (r: ModeRun) => string> = {
  baseline: (r) => (r.cpu ? `cpu ${cpuText(r.cpu.total, r.cpu.broker)} ms/order` : ""),
  capacity: (r) => `sustained ${sustainedRateText(r)}/s${r.rssMiBPeak ? `, peak RSS ${Math.max(...Object.values(r.rssMiBPeak))} MiB` : ""}`,
  traces: (r) =>
    `tracing +${show(r.figures.tracingCostMsPerOrder)} ms/order (${show(r.figures.tracingCostShare)}), ${show(r.figures.spansPerOrder)} spans/order`,
  cluster: (r) =>
    `3 replicas ${show(r.figures.cpuMsPerOrderThreeReplicas)} vs 1 ${show(r.figures.cpuMsPerOrderOneServer)} ms/order, sustained ${show(r.figures.capacityThreeReplicas)} vs ${show(r.figures.capacityOneServer)}/s`,
  "scale-out": (r) =>
    `${show(r.figures.completedPerSecBefore)} → ${show(r.figures.completedPerSecAfter)}/s, new replica used after ${show(r.figures.replicaTookTrafficAfterMs)} ms`,
  secure: (r) => `secure +${show(r.figures.securityCostMsPerOrder)} ms/order (${show(r.figures.securityCostShare)})`,
  down: (r) => `failed ${show(r.figures.failedToClient)}, resent ok ${show(r.figures.resentCompleted)}, drain ${show(r.figures.drainAfterRestartMs)} ms`,
  overload: (r) =>
    r.figures.maxBacklog === undefined
      ? `shed ${show(r.figures.resourceExhausted)}, deadline ${show(r.figures.deadlineExceeded)}`
      : `backlog max ${show(r.figures.maxBacklog)}, in flight max ${show(r.figures.maxConsumerAckPending)}`,
  crash: (r) => `failed ${show(r.figures.failedToClient)}, resent ok ${show(r.figures.resentCompleted)}`,
  addresses: (r) =>
    Object.entries(r.addresses ?? {})
      .map(
        ([svc, env]) =>
          `${svc}: ${
            Object.keys(env)
              .filter((k) => k !== "GRPC_LISTEN_ADDR")
              .join("+") || "-"
          }`,
      )
      .join("; "),
};

/** The console summary: one line per scenario and system, then each mode against its bare chain. */
export function summaryTable(report: LabReport): string {
  const rows: string[][] = [["scenario", "system", "sent", "completed", "p50 ms", "p99 ms", "errors", "lost", "dup", "key figure"]];
  for (const s of report.scenarios) {
    const runs: Array<[string, ModeRun]> = [
      ...s.runs.map((r): [string, ModeRun] => [r.mode, r]),
      ...(s.raw ?? []).map((r): [string, ModeRun] => [`bare ${r.mode}`, r]),
    ];
    for (const [name, r] of runs) {
      const last = r.load ?? r.steps?.at(-1);
      const errors = last ? Object.values(last.errors).reduce((a, b) => a + b, 0) : 0;
      rows.push([
        s.id,
        name,
        String(last?.sent ?? ""),
        String(last?.completed ?? ""),
        String(last?.complete.p50 ?? ""),
        String(last?.complete.p99 ?? ""),
        last ? String(errors) : "",
        String(r.audit?.lost ?? ""),
        r.audit ? String(r.audit.duplicateInvoices + r.audit.duplicateEmails) : "",
        KEY[s.id](r),
      ]);
    }
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const table = rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join("  ")).join("\n");
  const r = report.ratios;
  const s = report.summary;
  const vsBare = [
    r.grpc?.cpuRatio !== undefined ? `gRPC CPU per order ${r.grpc.cpuRatio}× its bare chain` : "",
    r.nats?.cpuRatio !== undefined ? `NATS ${r.nats.cpuRatio}× (broker included)` : "",
    r.grpc?.capacityRatio !== undefined ? `gRPC capacity ${r.grpc.capacityRatio} of its bare chain` : "",
    s.grpc.capacity && s.nats.capacity ? `NATS capacity ${Math.round((s.nats.capacity / s.grpc.capacity) * 100) / 100}× gRPC's` : "",
  ].filter(Boolean);
  return vsBare.length > 0 ? `${table}\n\n${vsBare.join("; ")}.` : table;
}
