import type { LabReport, ModeRun } from "../results.js";
import { viewOf, type ScenarioView } from "./scenario-view.js";

/** The console summary: one line per scenario and system, then the findings. */
export function summaryTable(report: LabReport, views: readonly ScenarioView[]): string {
  const rows: string[][] = [["scenario", "system", "sent", "completed", "p50 ms", "p99 ms", "errors", "lost", "dup", "key figure"]];
  for (const s of report.scenarios) {
    const view = viewOf(views, s);
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
        view.keyFigure(r),
      ]);
    }
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const table = rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join("  ")).join("\n");
  const findings = report.findings.map((f) => `  ${f.label}: ${f.text}`);
  return findings.length > 0 ? `${table}\n\nFindings (95 % intervals):\n${findings.join("\n")}` : table;
}
