import { escapeHtml } from "../../services/domain/html.js";
import { SPAN_KIND } from "../../testbed/otlp-decode.js";
import type { Waterfall, WaterfallRow } from "../results.js";

const W = 640;
const ROW = 17;
const LABEL = 250;
const TOP = 46;
const RIGHT = 14;

const SERVICE_COLOR: Record<string, string> = { client: "#495057", order: "#1c7ed6", billing: "#e8590c", notification: "#2b8a3e" };
const KIND = ["", "", "server", "client", "send", "process"];

function tickStep(maxMs: number): number {
  const raw = maxMs / 5;
  const p = 10 ** Math.floor(Math.log10(Math.max(raw, 0.001)));
  return [1, 2, 2.5, 5, 10].map((m) => m * p).find((m) => m >= raw) ?? raw;
}

function note(r: WaterfallRow): string {
  const parts: string[] = [];
  if (r.delivery && r.delivery > 1) parts.push(`delivery ${r.delivery}`);
  if (r.waitedMs !== undefined) parts.push(`waited ${r.waitedMs} ms in the stream`);
  if (r.failed) parts.push(`failed: ${r.failed}`);
  return parts.join("; ");
}

/**
 * One order's trace as a waterfall: a row per span (service, span name), a bar
 * from its start for its duration on the time axis `maxMs` wide (shared by the
 * waterfalls drawn side by side). The client's own spans are its wait; a dashed
 * lead-in before a consumer span is the time its message waited in the stream.
 */
export function waterfallChart(title: string, w: Waterfall, maxMs: number): string {
  const H = TOP + w.rows.length * ROW + 26;
  const ix = W - LABEL - RIGHT;
  const X = (ms: number) => LABEL + (ms / maxMs) * ix;
  const step = tickStep(maxMs);
  const ticks: string[] = [];
  for (let t = 0; t <= maxMs + 1e-9; t += step)
    ticks.push(
      `<line x1="${X(t).toFixed(1)}" x2="${X(t).toFixed(1)}" y1="${TOP - 4}" y2="${H - 22}" class="grid"/><text x="${X(t).toFixed(1)}" y="${H - 8}" text-anchor="middle">${Math.round(t * 10) / 10}</text>`,
    );
  const rows = w.rows
    .map((r, i) => {
      const y = TOP + i * ROW;
      const color = SERVICE_COLOR[r.service] ?? "#868e96";
      const x = X(r.startMs);
      const width = Math.max(1.5, X(r.startMs + r.durationMs) - x);
      const label = `${r.service} · ${KIND[r.kind] ?? ""} ${r.name.replace(/^(send|process) /, "")}`;
      const waited =
        r.waitedMs !== undefined && r.waitedMs > 0
          ? `<line x1="${X(r.startMs - r.waitedMs).toFixed(1)}" x2="${x.toFixed(1)}" y1="${y + ROW / 2}" y2="${y + ROW / 2}" stroke="${color}" stroke-dasharray="2 2"/>`
          : "";
      const fill = r.service === "client" ? `fill="none" stroke="${color}" stroke-width="1.5"` : `fill="${color}"`;
      const failed = r.failed ? ` stroke="#c92a2a" stroke-width="2"` : "";
      const tip = `${label}: starts at ${r.startMs} ms, lasts ${r.durationMs} ms${note(r) ? `; ${note(r)}` : ""}`;
      return (
        `<text x="${4 + r.depth * 8}" y="${y + 12}" class="${r.kind === SPAN_KIND.consumer || r.kind === SPAN_KIND.server ? "span-in" : "span-out"}">${escapeHtml(label.length > 40 ? `${label.slice(0, 39)}…` : label)}</text>` +
        waited +
        `<rect class="data" x="${x.toFixed(1)}" y="${y + 3}" width="${width.toFixed(1)}" height="${ROW - 6}" ${fill}${failed}><title>${escapeHtml(tip)}</title></rect>` +
        (r.failed ? `<text x="${(x + width + 3).toFixed(1)}" y="${y + 12}" fill="#c92a2a">✕</text>` : "")
      );
    })
    .join("");
  const caption = `${title}: ${w.caption}`;
  return (
    `<svg class="chart" viewBox="0 0 ${W} ${H}" role="img" aria-label="${escapeHtml(caption)}"><title>${escapeHtml(caption)}</title>` +
    `<text x="4" y="14" class="axis">${escapeHtml(title)}</text><text x="4" y="27" class="mark-label">${escapeHtml(w.caption)}</text>` +
    `<text x="4" y="39" class="mark-label">the client waited ${w.clientWaitMs} ms (outlined bars) · trace ${escapeHtml(w.traceId)}</text>` +
    ticks.join("") +
    rows +
    `<text x="${LABEL - 8}" y="${H - 8}" text-anchor="end" class="axis">ms</text></svg>`
  );
}
