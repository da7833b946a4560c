import type { Mode } from "../../services/common/config.js";
import type { ModeRun, ScenarioResult } from "./scenarios.js";
import type { LabSettings } from "./settings.js";
import { RAW_OF } from "./systems.js";

export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  memoryGb: number;
  node: string;
  natsServer: string;
  platform: string;
}

export interface Ratios {
  /** The mode's median capacity divided by its bare chain's. */
  capacityRatio?: number;
  /** The mode's baseline completion p50 divided by its bare chain's. */
  p50Ratio?: number;
  /** The mode's CPU per order (services and broker) divided by its bare chain's (nodes and broker), at the baseline rate. */
  cpuRatio?: number;
}

/** One system's headline figures, under names that other tools may rely on. */
export interface SystemSummary {
  /** Median sustained orders/s over the capacity rounds; null when not measured or when it reached the search's maximum. */
  capacity: number | null;
  /** Set instead of capacity when the system held the search's maximum rate: the real limit is at least this. */
  capacityAtLeast: number | null;
  capacitySpread: { min: number; max: number; rounds: number[] } | null;
  /** CPU ms per order of the system's own processes at the baseline rate. */
  cpuMsPerOrder: number | null;
  /** nats-server's CPU ms per order at the baseline rate; null for gRPC. */
  brokerCpuMsPerOrder: number | null;
  /** The largest peak RSS of any one service during the capacity scenario (modes only). */
  rssMiBPeak?: number | null;
}

export interface ResultsSummary {
  baselineRate: number;
  grpc: SystemSummary;
  nats: SystemSummary;
  rawGrpc: SystemSummary;
  rawNats: SystemSummary;
}

/** Everything a report shows, as written to results.json. */
export interface LabReport {
  version: 2;
  createdAt: string;
  machine: MachineInfo;
  settings: LabSettings;
  /** --secure: the modes ran the secure profile in every scenario (the bare chains stay plain). */
  secure: boolean;
  summary: ResultsSummary;
  scenarios: ScenarioResult[];
  /** The bare chains: the baseline's and the capacity scenario's measurements, merged per transport. */
  raw: ModeRun[];
  ratios: Partial<Record<Mode, Ratios>>;
  durationMs: number;
}

export function runOf(scenario: ScenarioResult | undefined, mode: Mode): ModeRun | undefined {
  return scenario?.runs.find((r) => r.mode === mode);
}

const scenario = (scenarios: ScenarioResult[], id: ScenarioResult["id"]) => scenarios.find((s) => s.id === id);

/** The bare chains' runs of every scenario that measured them, merged per transport. */
export function mergeRaw(scenarios: ScenarioResult[]): ModeRun[] {
  const byMode = new Map<Mode, ModeRun>();
  for (const s of scenarios)
    for (const r of s.raw ?? []) byMode.set(r.mode, { ...byMode.get(r.mode), ...r, figures: { ...byMode.get(r.mode)?.figures, ...r.figures } });
  return [...byMode.values()];
}

function systemSummary(base: ModeRun | undefined, cap: ModeRun | undefined, withRss: boolean): SystemSummary {
  const c = cap?.capacity;
  const out: SystemSummary = {
    capacity: c && !c.atMaxRate ? c.median : null,
    capacityAtLeast: c?.atMaxRate ? c.median : null,
    capacitySpread: c ? { min: c.min, max: c.max, rounds: c.rounds } : null,
    cpuMsPerOrder: base?.cpu?.total ?? null,
    brokerCpuMsPerOrder: base?.cpu?.broker ?? null,
  };
  if (withRss) out.rssMiBPeak = cap?.rssMiBPeak ? Math.max(...Object.values(cap.rssMiBPeak)) : null;
  return out;
}

export function summarize(settings: LabSettings, scenarios: ScenarioResult[]): ResultsSummary {
  const base = scenario(scenarios, "baseline");
  const cap = scenario(scenarios, "capacity");
  const rawOf = (s: ScenarioResult | undefined, m: Mode) => s?.raw?.find((r) => r.mode === m);
  const summary = { baselineRate: settings.baselineRate } as ResultsSummary;
  for (const m of ["grpc", "nats"] as const) {
    summary[m] = systemSummary(runOf(base, m), runOf(cap, m), true);
    summary[RAW_OF[m]] = systemSummary(rawOf(base, m), rawOf(cap, m), false);
  }
  return summary;
}

const ratio = (a: number | null | undefined, b: number | null | undefined, digits = 2) =>
  a && b ? Math.round((a / b) * 10 ** digits) / 10 ** digits : undefined;

/** Each mode against its bare chain: capacity, p50 latency and CPU per order (services and broker together). */
export function computeRatios(summary: ResultsSummary, scenarios: ScenarioResult[], raw: ModeRun[]): Partial<Record<Mode, Ratios>> {
  const out: Partial<Record<Mode, Ratios>> = {};
  const base = scenario(scenarios, "baseline");
  for (const r of raw) {
    const mode = summary[r.mode];
    const bare = summary[RAW_OF[r.mode]];
    const total = (s: SystemSummary) => (s.cpuMsPerOrder === null ? null : s.cpuMsPerOrder + (s.brokerCpuMsPerOrder ?? 0));
    out[r.mode] = {
      // A lower bound on either side makes a capacity ratio meaningless, so it is left out.
      capacityRatio: ratio(mode.capacity, bare.capacity),
      p50Ratio: ratio(runOf(base, r.mode)?.load?.complete.p50, r.load?.complete.p50, 1),
      cpuRatio: ratio(total(mode), total(bare)),
    };
  }
  return out;
}

export const MODE_NAME: Record<Mode, string> = { grpc: "gRPC", nats: "NATS" };

export const RAW_HEADER = [
  "chain",
  "complete p50 (ms)",
  "p99 (ms)",
  "CPU ms per order",
  "sustained rate (median of rounds)",
  "mode p50 ÷ bare p50",
  "mode CPU ÷ bare CPU",
  "mode capacity ÷ bare capacity",
];

/** The raw-transport table's rows, shared by the Markdown and HTML reports. */
export function rawRows(report: LabReport): Array<Array<string | number>> {
  return report.raw.map((r) => [
    `bare ${MODE_NAME[r.mode]} chain`,
    r.load?.complete.p50 ?? "–",
    r.load?.complete.p99 ?? "–",
    r.cpu ? cpuText(r.cpu.total, r.cpu.broker) : "–",
    sustainedRateText(r),
    report.ratios[r.mode]?.p50Ratio ?? "–",
    report.ratios[r.mode]?.cpuRatio ?? "–",
    report.ratios[r.mode]?.capacityRatio ?? "–",
  ]);
}

/** "4.1" or "3.2 + 1.5 in the broker". */
export function cpuText(own: number, broker: number | null): string {
  return broker === null ? String(own) : `${own} + ${broker} in the broker`;
}

/** "800 (750–850)", or "≥ 3000" when a round held the search's maximum rate (the real limit is higher). */
export function sustainedRateText(run: ModeRun | undefined): string {
  const c = run?.capacity;
  if (!c) return "–";
  if (c.atMaxRate) return `≥ ${c.median}`;
  return c.min === c.max ? String(c.median) : `${c.median} (${c.min}–${c.max})`;
}
