import { RAW_OF, type LabReport, type ModeRun, type Ratios, type ResultsSummary, type ScenarioResult, type SystemSummary } from "../results.js";

/** The bare chains' runs of every scenario that measured them, merged per transport. */
export function mergeRaw(scenarios: readonly ScenarioResult[]): ModeRun[] {
  const byMode = new Map<ModeRun["mode"], ModeRun>();
  for (const s of scenarios)
    for (const r of s.raw ?? []) byMode.set(r.mode, { ...byMode.get(r.mode), ...r, figures: { ...byMode.get(r.mode)?.figures, ...r.figures } });
  return [...byMode.values()];
}

const emptySystem = (): SystemSummary => ({
  capacity: null,
  capacityAtLeast: null,
  capacitySpread: null,
  cpuMsPerOrder: null,
  brokerCpuMsPerOrder: null,
  cpuMsPerOrderWarm: null,
  brokerCpuMsPerOrderWarm: null,
  completeP50Ms: null,
});

/** A summary with nothing measured yet; the scenarios fill in what they measured. */
export function emptySummary(baselineRate: number, warmRate: number): ResultsSummary {
  return {
    baselineRate,
    warmRate,
    floor: { cpuMsPerOrder: null, cpuMsPerOrderWarm: null },
    grpc: { ...emptySystem(), rssMiBPeak: null },
    nats: { ...emptySystem(), rssMiBPeak: null },
    rawGrpc: emptySystem(),
    rawNats: emptySystem(),
  };
}

const ratio = (a: number | null | undefined, b: number | null | undefined, digits = 2) =>
  a && b ? Math.round((a / b) * 10 ** digits) / 10 ** digits : undefined;

const cpuTotal = (s: SystemSummary) => (s.cpuMsPerOrder === null ? null : s.cpuMsPerOrder + (s.brokerCpuMsPerOrder ?? 0));

/** Each mode against its bare chain: capacity, p50 latency and CPU per order (services and broker together). */
export function computeRatios(summary: ResultsSummary): LabReport["ratios"] {
  const out: LabReport["ratios"] = {};
  for (const m of ["grpc", "nats"] as const) {
    const mode = summary[m];
    const bare = summary[RAW_OF[m]];
    const r: Ratios = {
      // Saturated, as the capacity findings compare them: a bare chain is not searched.
      capacityRatio: ratio(mode.saturation?.median, bare.saturation?.median),
      p50Ratio: ratio(mode.completeP50Ms, bare.completeP50Ms, 1),
      cpuRatio: ratio(cpuTotal(mode), cpuTotal(bare)),
    };
    if (Object.values(r).some((v) => v !== undefined)) out[m] = r;
  }
  return out;
}
