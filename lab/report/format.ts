import type { AuditLine, ModeRun } from "../results.js";

/** A figure as report text: numbers and words as they are, structures as JSON. */
export function show(v: unknown): string {
  switch (typeof v) {
    case "string":
      return v;
    case "number":
    case "bigint":
    case "boolean":
    case "undefined":
      return String(v);
    default:
      return JSON.stringify(v) ?? typeof v;
  }
}

/** A figure that may be missing: "not measured" then. */
export const shown = (v: unknown) => (v === undefined ? "not measured" : show(v));

/** Milliseconds as a person reads them: whole above 100, one decimal below. */
export const ms = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? "not measured" : `${v >= 100 ? Math.round(v) : Math.round(v * 10) / 10} ms`);

export const round2 = (v: number) => Math.round(v * 100) / 100;

/** CPU per order as words: "4.1 ms", or "3.2 ms + 1.5 ms in the broker". */
export function cpuText(own: number | string, broker: number | string | null | undefined): string {
  return broker === null || broker === undefined ? `${own} ms` : `${own} ms + ${broker} ms in the broker`;
}

/** "800 (750–850)", or "≥ 3000" when a round held the search's maximum rate (the real limit is higher). */
export function sustainedRateText(run: ModeRun | undefined): string {
  const c = run?.capacity;
  if (!c) return "–";
  if (c.atMaxRate) return `≥ ${c.median}`;
  return c.min === c.max ? String(c.median) : `${c.median} (${c.min}–${c.max})`;
}

/** A run's own figures as report text: figureOf(run)("lost"). */
export const figureOf = (run: ModeRun | undefined) => (key: string) => shown(run?.figures[key]);

/** What the audit says was kept: "lost 0, duplicated 0" (empty when there was no audit). */
export const keptText = (a: AuditLine | undefined) => (a ? `lost ${a.lost}, duplicated ${a.duplicateInvoices + a.duplicateEmails}` : "");

/** What a --net run's report says about where its processes ran. */
export const NET_NOTE =
  "each process of the modes ran on a host of its own (network namespaces on one bridge, 10.213.77.0/24); the client, the bare chains, the work floor and the secure profile's stacks on the main host";
