import type { LabReport } from "./lab-report.js";
import { show } from "./show.js";

/** The console summary: one line per scenario and mode. */
export function summaryTable(report: LabReport): string {
  const rows: string[][] = [["scenario", "mode", "sent", "completed", "p50 ms", "p99 ms", "errors", "lost", "dup", "key figure"]];
  const key: Record<string, (f: Record<string, unknown>) => string> = {
    baseline: (f) => `cpu ${show(f.servicesCpuMsPerOrder)} ms/order`,
    capacity: (f) => `max ${f.atTopOfLadder ? "≥ " : ""}${show(f.highestSustainedRate)}/s`,
    down: (f) => `failed ${show(f.failedToClient)}, resent ok ${show(f.resentCompleted)}, drain ${show(f.drainAfterRestartMs)} ms`,
    overload: (f) =>
      f.maxBacklog === undefined
        ? `shed ${show(f.resourceExhausted)}, deadline ${show(f.deadlineExceeded)}`
        : `backlog max ${show(f.maxBacklog)}, in flight max ${show(f.maxConsumerAckPending)}`,
    crash: (f) => `failed ${show(f.failedToClient)}, resent ok ${show(f.resentCompleted)}`,
    addresses: () => "",
  };
  for (const s of report.scenarios) {
    for (const r of s.runs) {
      const last = r.load ?? r.steps?.at(-1);
      const errors = last ? Object.values(last.errors).reduce((a, b) => a + b, 0) : 0;
      const addresses =
        s.id === "addresses"
          ? Object.entries(r.addresses ?? {})
              .map(
                ([svc, env]) =>
                  `${svc}: ${
                    Object.keys(env)
                      .filter((k) => k !== "GRPC_LISTEN_ADDR")
                      .join("+") || "-"
                  }`,
              )
              .join("; ")
          : "";
      rows.push([
        s.id,
        r.mode,
        String(last?.sent ?? ""),
        String(last?.completed ?? ""),
        String(last?.complete.p50 ?? ""),
        String(last?.complete.p99 ?? ""),
        last ? String(errors) : "",
        String(r.audit?.lost ?? ""),
        r.audit ? String(r.audit.duplicateInvoices + r.audit.duplicateEmails) : "",
        s.id === "addresses" ? addresses : (key[s.id]?.(r.figures) ?? ""),
      ]);
    }
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join("  ")).join("\n");
}
