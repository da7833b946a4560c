import type { AuditLine } from "../../services/audit/audit.js";
import type { Mode } from "../../services/common/config.js";
import type { LoadResult } from "./load-generator.js";
import type { QueueSample } from "./sampler.js";
import type { CapacityStep } from "./capacity-search.js";
import type { LabSettings } from "./settings.js";
import type { CpuPerOrder } from "./systems.js";
import type { Waterfall } from "./waterfall.js";
import type { CertificateSet } from "../lib/certs.js";

export const SCENARIO_IDS = ["baseline", "capacity", "traces", "secure", "scale-out", "cluster", "down", "overload", "crash", "addresses"] as const;
export type ScenarioId = (typeof SCENARIO_IDS)[number];

export type LoadSummary = Omit<LoadResult, "orders">;

export interface ModeRun {
  mode: Mode;
  load?: LoadSummary;
  audit?: AuditLine;
  /** Scenario-specific measurements, named in the report. */
  figures: Record<string, number | string | boolean>;
  /** Capacity: every probe of every round, in the order they ran. */
  steps?: CapacityStep[];
  /** CPU per order in each process and the broker (baseline: at the baseline rate, the median round). */
  cpu?: CpuPerOrder;
  /** Capacity: the highest sustained rate of each round, their median and spread. */
  capacity?: CapacityFigure;
  /** The largest resident set size each process reached during the scenario (MiB). */
  rssMiBPeak?: Record<string, number>;
  queue?: QueueSample[];
  marks?: Array<{ t: number; label: string }>;
  addresses?: Record<string, Record<string, string>>;
  /** Orders drawn from the spans recorded in the run (traces: the median order; down: one that was re-sent or waited). */
  waterfalls?: Waterfall[];
}

export interface CapacityFigure {
  median: number;
  min: number;
  max: number;
  rounds: number[];
  /** Some round held even the search's maximum rate: the figures are lower bounds. */
  atMaxRate: boolean;
}

export interface ScenarioResult {
  id: ScenarioId;
  title: string;
  runs: ModeRun[];
  /** The bare transport chains measured in the same scenario, side by side with the modes (mode = the chain's transport). */
  raw?: ModeRun[];
}

export interface LabContext {
  settings: LabSettings;
  outDir: string;
  modes: Mode[];
  log(line: string): void;
  /** --secure: every scenario runs the secure profile (mutual TLS; NATS NKeys with least privilege). */
  secure?: boolean;
  /** The lab's development certificates, made once per run when a secure run needs them. */
  certificates?(): CertificateSet;
}

export function summary(r: LoadResult): LoadSummary {
  const { orders: _orders, ...rest } = r;
  return rest;
}
