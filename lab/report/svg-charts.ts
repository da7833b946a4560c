import { escapeHtml } from "../../services/domain/html.js";

export interface Series {
  name: string;
  color: string;
  points: Array<[number, number]>;
  dashed?: boolean;
}

const W = 640;
const H = 260;
const PAD = { l: 56, r: 16, t: 28, b: 40 };

function niceMax(v: number): number {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  return [1, 2, 2.5, 5, 10].map((m) => m * p).find((m) => m >= v) ?? v;
}

function fmt(v: number): string {
  return Math.abs(v) >= 1000 ? `${Math.round(v / 100) / 10}k` : String(Math.round(v * 10) / 10);
}

function frame(
  title: string,
  xLabel: string,
  yLabel: string,
  xMax: number,
  yMax: number,
  body: string,
  legend: Array<{ name: string; color: string }>,
): string {
  const ix = W - PAD.l - PAD.r;
  const iy = H - PAD.t - PAD.b;
  const ticks = [0, 0.25, 0.5, 0.75, 1];
  const grid = ticks
    .map((f) => {
      const y = PAD.t + iy - f * iy;
      const x = PAD.l + f * ix;
      return (
        `<line x1="${PAD.l}" x2="${W - PAD.r}" y1="${y}" y2="${y}" class="grid"/>` +
        `<text x="${PAD.l - 6}" y="${y + 4}" text-anchor="end">${fmt(f * yMax)}</text>` +
        (xMax > 0 ? `<text x="${x}" y="${H - PAD.b + 16}" text-anchor="middle">${fmt(f * xMax)}</text>` : "")
      );
    })
    .join("");
  let at = PAD.l;
  const keys = legend
    .map((l) => {
      const x = at;
      at += 30 + l.name.length * 6;
      return `<rect x="${x}" y="8" width="12" height="12" fill="${l.color}"/><text x="${x + 16}" y="18">${escapeHtml(l.name)}</text>`;
    })
    .join("");
  return (
    `<svg class="chart" viewBox="0 0 ${W} ${H}" role="img" aria-label="${escapeHtml(title)}"><title>${escapeHtml(title)}</title>` +
    `${grid}${keys}${body}` +
    `<text x="${PAD.l + ix / 2}" y="${H - 6}" text-anchor="middle" class="axis">${escapeHtml(xLabel)}</text>` +
    `<text x="14" y="${PAD.t + iy / 2}" text-anchor="middle" class="axis" transform="rotate(-90 14 ${PAD.t + iy / 2})">${escapeHtml(yLabel)}</text></svg>`
  );
}

/** A stretch of the x axis something held for, such as a fault from applied to healed. */
export interface Band {
  from: number;
  to: number;
  label: string;
}

/** Lines over time (or rate), with optional vertical marks such as "billing stopped" and shaded bands. */
export function lineChart(
  title: string,
  xLabel: string,
  yLabel: string,
  series: Series[],
  marks: Array<{ x: number; label: string }> = [],
  bands: Band[] = [],
): string {
  const all = series.flatMap((s) => s.points);
  const xMax = niceMax(Math.max(1, ...all.map((p) => p[0]), ...marks.map((m) => m.x), ...bands.map((b) => b.to)));
  const yMax = niceMax(Math.max(0, ...all.map((p) => p[1])));
  const ix = W - PAD.l - PAD.r;
  const iy = H - PAD.t - PAD.b;
  const X = (v: number) => PAD.l + (v / xMax) * ix;
  const Y = (v: number) => PAD.t + iy - (v / yMax) * iy;
  const lines = series
    .filter((s) => s.points.length > 0)
    .map(
      (s) =>
        `<polyline class="data" fill="none" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="5 4"' : ""} points="${s.points.map(([x, y]) => `${X(x).toFixed(1)},${Y(y).toFixed(1)}`).join(" ")}"/>` +
        (s.points.length === 1 ? `<circle cx="${X(s.points[0]![0])}" cy="${Y(s.points[0]![1])}" r="3" fill="${s.color}"/>` : ""),
    )
    .join("");
  const markLines = marks
    .map(
      (m, i) =>
        `<line x1="${X(m.x)}" x2="${X(m.x)}" y1="${PAD.t}" y2="${H - PAD.b}" class="mark"/>` +
        `<text x="${X(m.x) + 3}" y="${PAD.t + 10 + (i % 4) * 11}" class="mark-label">${escapeHtml(m.label)}</text>`,
    )
    .join("");
  // Bands that overlap are drawn in rows of their own, so that each stays readable.
  const rowEnds: number[] = [];
  const bandRects = [...bands]
    .sort((a, b) => a.from - b.from)
    .map((b) => {
      let row = rowEnds.findIndex((end) => end <= b.from);
      if (row < 0) row = rowEnds.push(0) - 1;
      rowEnds[row] = b.to;
      const x = X(b.from);
      const w = Math.max(1, X(b.to) - x);
      return (
        `<rect x="${x.toFixed(1)}" y="${PAD.t}" width="${w.toFixed(1)}" height="${iy}" class="band"><title>${escapeHtml(b.label)}</title></rect>` +
        `<text x="${(x + 2).toFixed(1)}" y="${PAD.t + 10 + (row % 4) * 11}" class="mark-label">${escapeHtml(b.label)}</text>`
      );
    })
    .join("");
  return frame(title, xLabel, yLabel, xMax, yMax, bandRects + lines + markLines, series);
}

/** Grouped bars: one group per category, one bar per series. */
export function barChart(title: string, yLabel: string, categories: string[], series: Array<{ name: string; color: string; values: number[] }>): string {
  const yMax = niceMax(Math.max(0, ...series.flatMap((s) => s.values)));
  const ix = W - PAD.l - PAD.r;
  const iy = H - PAD.t - PAD.b;
  const groupW = ix / Math.max(1, categories.length);
  const barW = (groupW * 0.7) / Math.max(1, series.length);
  const bars = categories
    .map((c, ci) => {
      const gx = PAD.l + ci * groupW + groupW * 0.15;
      const rects = series
        .map((s, si) => {
          const v = s.values[ci] ?? 0;
          const h = (v / yMax) * iy;
          const x = gx + si * barW;
          return (
            `<rect class="data" x="${x.toFixed(1)}" y="${(PAD.t + iy - h).toFixed(1)}" width="${(barW - 2).toFixed(1)}" height="${h.toFixed(1)}" fill="${s.color}"><title>${escapeHtml(`${s.name} ${c}: ${v}`)}</title></rect>` +
            `<text x="${(x + barW / 2).toFixed(1)}" y="${(PAD.t + iy - h - 3).toFixed(1)}" text-anchor="middle" class="value">${fmt(v)}</text>`
          );
        })
        .join("");
      return rects + `<text x="${(gx + (groupW * 0.7) / 2).toFixed(1)}" y="${H - PAD.b + 16}" text-anchor="middle">${escapeHtml(c)}</text>`;
    })
    .join("");
  return frame(title, "", yLabel, 0, yMax, bars, series);
}

/** Stacked bars: one bar per category, its parts (the series) on top of each other, each labelled with its value. */
export function stackedBarChart(title: string, yLabel: string, categories: string[], parts: Array<{ name: string; color: string; values: number[] }>): string {
  const totals = categories.map((_, ci) => parts.reduce((sum, p) => sum + Math.max(0, p.values[ci] ?? 0), 0));
  const yMax = niceMax(Math.max(0, ...totals));
  const ix = W - PAD.l - PAD.r;
  const iy = H - PAD.t - PAD.b;
  const slot = ix / Math.max(1, categories.length);
  const barW = slot * 0.5;
  const bars = categories
    .map((c, ci) => {
      const x = PAD.l + ci * slot + (slot - barW) / 2;
      let base = 0;
      const rects = parts
        .map((p) => {
          const v = Math.max(0, p.values[ci] ?? 0);
          const h = (v / yMax) * iy;
          const y = PAD.t + iy - ((base + v) / yMax) * iy;
          base += v;
          return (
            `<rect class="data" x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${barW.toFixed(1)}" height="${h.toFixed(1)}" fill="${p.color}"><title>${escapeHtml(`${c}, ${p.name}: ${v}`)}</title></rect>` +
            (h > 12
              ? `<text x="${(x + barW / 2).toFixed(1)}" y="${(y + h / 2 + 4).toFixed(1)}" text-anchor="middle" class="value">${escapeHtml(`${p.name} ${fmt(v)}`)}</text>`
              : "")
          );
        })
        .join("");
      return (
        rects +
        `<text x="${(x + barW / 2).toFixed(1)}" y="${(PAD.t + iy - (totals[ci]! / yMax) * iy - 4).toFixed(1)}" text-anchor="middle" class="value">${fmt(totals[ci]!)}</text>` +
        `<text x="${(x + barW / 2).toFixed(1)}" y="${H - PAD.b + 16}" text-anchor="middle">${escapeHtml(c)}</text>`
      );
    })
    .join("");
  return frame(title, "", yLabel, 0, yMax, bars, parts);
}
