import { SPAN_KIND, type ReceivedSpan } from "../../testbed/otlp-decode.js";
import type { Waterfall, WaterfallRow } from "../results.js";

const round1 = (v: number) => Math.round(v * 10) / 10;

/** The spans of one trace, in tree order (each after its parent, siblings by start). */
export function buildWaterfall(all: readonly ReceivedSpan[], traceId: string, orderId: string, caption: string): Waterfall | undefined {
  const spans = all.filter((s) => s.traceId === traceId);
  if (spans.length === 0) return undefined;
  const t0 = Math.min(...spans.map((s) => s.startMs));
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  const children = new Map<string, ReceivedSpan[]>();
  const roots: ReceivedSpan[] = [];
  for (const s of spans) {
    if (byId.has(s.parentSpanId)) children.set(s.parentSpanId, [...(children.get(s.parentSpanId) ?? []), s]);
    else roots.push(s);
  }
  const rows: WaterfallRow[] = [];
  const visit = (s: ReceivedSpan, depth: number) => {
    const parent = byId.get(s.parentSpanId);
    const row: WaterfallRow = {
      service: s.service,
      name: s.name,
      kind: s.kind,
      startMs: round1(s.startMs - t0),
      durationMs: round1(s.endMs - s.startMs),
      depth,
    };
    if (s.status.code === 2) row.failed = s.status.message;
    if (s.kind === SPAN_KIND.consumer) {
      row.delivery = Number(s.attributes["messaging.nats.delivery_count"] ?? 1);
      if (parent?.kind === SPAN_KIND.producer) row.waitedMs = round1(Math.max(0, s.startMs - parent.endMs));
    }
    rows.push(row);
    for (const c of (children.get(s.spanId) ?? []).sort((a, b) => a.startMs - b.startMs)) visit(c, depth + 1);
  };
  for (const r of roots.sort((a, b) => a.startMs - b.startMs)) visit(r, 0);
  const clientSpans = spans.filter((s) => s.service === "client");
  return {
    caption,
    orderId,
    traceId,
    totalMs: round1(Math.max(...spans.map((s) => s.endMs)) - t0),
    clientWaitMs: round1(clientSpans.reduce((sum, s) => sum + (s.endMs - s.startMs), 0)),
    rows,
  };
}

/** The order whose completion time is the median of those completed, with the latency of each. */
export function medianOrder<T extends { orderId: string; latencyMs: number }>(orders: readonly T[]): T | undefined {
  const sorted = [...orders].sort((a, b) => a.latencyMs - b.latencyMs);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}
