import type { AuditLine } from "../../services/audit/audit.js";
import type { Mode } from "../../services/common/config.js";
import type { LoadResult } from "./load-generator.js";
import type { QueueSample } from "./sampler.js";
import type { LabSettings } from "./settings.js";

export const SCENARIO_IDS = ["baseline", "capacity", "down", "overload", "crash", "addresses"] as const;
export type ScenarioId = (typeof SCENARIO_IDS)[number];

export type LoadSummary = Omit<LoadResult, "orders">;

export interface ModeRun {
  mode: Mode;
  load?: LoadSummary;
  audit?: AuditLine;
  /** Scenario-specific measurements, named in the report. */
  figures: Record<string, number | string | boolean>;
  steps?: LoadSummary[];
  queue?: QueueSample[];
  marks?: Array<{ t: number; label: string }>;
  addresses?: Record<string, Record<string, string>>;
}

export interface ScenarioResult {
  id: ScenarioId;
  title: string;
  runs: ModeRun[];
}

export interface LabContext {
  settings: LabSettings;
  outDir: string;
  modes: Mode[];
  log(line: string): void;
}

export function summary(r: LoadResult): LoadSummary {
  const { orders: _orders, ...rest } = r;
  return rest;
}
