import type { Mode } from "../../services/common/config.js";
import type { ModeRun, ScenarioResult } from "./scenarios.js";
import type { LabSettings } from "./settings.js";

export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  memoryGb: number;
  node: string;
  natsServer: string;
  platform: string;
}

export interface Ratios {
  /** The mode's highest sustained rate divided by its raw chain's. */
  capacityRatio?: number;
  /** The mode's baseline completion p50 divided by its raw chain's. */
  p50Ratio?: number;
}

/** Everything a report shows, as written to results.json. */
export interface LabReport {
  version: 1;
  createdAt: string;
  machine: MachineInfo;
  settings: LabSettings;
  scenarios: ScenarioResult[];
  raw: ModeRun[];
  ratios: Partial<Record<Mode, Ratios>>;
  durationMs: number;
}

export function runOf(scenario: ScenarioResult | undefined, mode: Mode): ModeRun | undefined {
  return scenario?.runs.find((r) => r.mode === mode);
}

export function computeRatios(scenarios: ScenarioResult[], raw: ModeRun[]): Partial<Record<Mode, Ratios>> {
  const out: Partial<Record<Mode, Ratios>> = {};
  const baseline = scenarios.find((s) => s.id === "baseline");
  const capacity = scenarios.find((s) => s.id === "capacity");
  for (const r of raw) {
    const ratios: Ratios = {};
    const cap = Number(runOf(capacity, r.mode)?.figures.highestSustainedRate ?? 0);
    const rawCap = Number(r.figures.highestSustainedRate ?? 0);
    // A lower bound on either side makes the ratio meaningless, so it is left out.
    const bounded = runOf(capacity, r.mode)?.figures.atTopOfLadder || r.figures.atTopOfLadder;
    if (cap > 0 && rawCap > 0 && !bounded) ratios.capacityRatio = Math.round((cap / rawCap) * 100) / 100;
    const p50 = runOf(baseline, r.mode)?.load?.complete.p50 ?? 0;
    const rawP50 = r.load?.complete.p50 ?? 0;
    if (p50 > 0 && rawP50 > 0) ratios.p50Ratio = Math.round((p50 / rawP50) * 10) / 10;
    out[r.mode] = ratios;
  }
  return out;
}

export const MODE_NAME: Record<Mode, string> = { grpc: "gRPC", nats: "NATS" };

export const RAW_HEADER = ["chain", "complete p50 (ms)", "p99 (ms)", "highest sustained rate", "mode p50 ÷ raw p50", "mode capacity ÷ raw capacity"];

/** The raw-transport table's rows, shared by the Markdown and HTML reports. */
export function rawRows(report: LabReport): Array<Array<string | number>> {
  return report.raw.map((r) => [
    `bare ${MODE_NAME[r.mode]} chain`,
    r.load?.complete.p50 ?? "–",
    r.load?.complete.p99 ?? "–",
    sustainedRateText(r),
    report.ratios[r.mode]?.p50Ratio ?? "–",
    report.ratios[r.mode]?.capacityRatio ?? "–",
  ]);
}

/** "800", or "≥ 1200" when even the top step of the ladder held (the real limit is higher). */
export function sustainedRateText(run: ModeRun | undefined): string {
  const rate = run?.figures.highestSustainedRate;
  if (rate === undefined) return "–";
  return run?.figures.atTopOfLadder ? `≥ ${rate}` : String(rate);
}
