import { join } from "node:path";
import { CHAOS_AUDIT_ROWS, runChaos, type ChaosAudit } from "../../testbed/chaos/run.js";
import { drawSchedule } from "../../testbed/chaos/schedule.js";
import { LabNet, labNetUnavailable } from "../../testbed/net/lab-net.js";
import { seconds, timelineChart } from "../report/charts.js";
import type { Band } from "../report/svg-charts.js";
import { MODE_NAME, runOf, type Mode, type ModeRun, type ScenarioResult } from "../results.js";
import type { ReportTable } from "../report/tables.js";
import type { LabContext } from "../context.js";
import { NOTHING, resultOf, type Scenario } from "./scenario.js";

/** This scenario's settings per profile: how long faults are drawn for, and the rate orders are placed at. */
export const CHAOS_SETTINGS = {
  quick: { durationMs: 36_000, rate: 15 },
  short: { durationMs: 60_000, rate: 20 },
  full: { durationMs: 120_000, rate: 20 },
} as const;

/** What results.json keeps of each mode's run: summary.chaos.<mode>. */
export type ChaosSummary = Partial<Record<Mode, ChaosAudit>>;

const auditOf = (r: ModeRun | undefined): ChaosAudit | undefined => r?.detail as ChaosAudit | undefined;

/** Each applied fault as a band on the load's time axis (seconds), from applied to healed. */
function faultBands(a: ChaosAudit | undefined): Band[] {
  return (a?.schedule ?? [])
    .filter((f) => (f.appliedAtMs ?? -1) >= 0)
    .map((f) => ({
      from: seconds(f.appliedAtMs!),
      to: seconds(f.healedAtMs !== undefined && f.healedAtMs >= 0 ? f.healedAtMs : f.appliedAtMs! + f.holdMs),
      label: `${f.op} ${f.appliedTarget ?? f.target}`,
    }));
}

/**
 * Both modes through seeded schedules of combined faults (the same kinds of fault where both have
 * them; a broker's nodes too for NATS, on a 3-node cluster with streams at 3 replicas), every
 * process on a host of its own; then every order audited. Root only, and asked for by name.
 */
async function run(ctx: LabContext): Promise<ScenarioResult> {
  const why = labNetUnavailable();
  if (why)
    return resultOf(
      chaos,
      ctx.modes.map((mode) => ({ mode, figures: { skipped: why } })),
    );
  const settings = CHAOS_SETTINGS[ctx.settings.profile];
  const seed = ctx.settings.seed;
  ctx.log(`[chaos] seed ${seed} (replay: --seed ${seed})`);
  const net = ctx.net ?? LabNet.create();
  const runs: ModeRun[] = [];
  try {
    for (const mode of ctx.modes) {
      const schedule = drawSchedule({ seed, mode, durationMs: settings.durationMs });
      const { audit, load } = await runChaos({
        mode,
        seed,
        schedule,
        durationMs: settings.durationMs,
        rate: settings.rate,
        net,
        dataDir: join(ctx.outDir, "data", `chaos-${mode}`),
        log: (l) => ctx.log(l),
      });
      runs.push({
        mode,
        load,
        detail: audit,
        figures: { seed, faults: audit.schedule.length, acknowledged: audit.acknowledged, lost: audit.lost, duplicated: audit.duplicated, stuck: audit.stuck },
      });
    }
  } finally {
    if (!ctx.net) net.close();
  }
  return resultOf(chaos, runs);
}

export const chaos: Scenario = {
  ...NOTHING,
  id: "chaos",
  title: "Chaos: a seeded schedule of combined faults in both modes",
  claim: "A synchronous caller must re-send what failed; a broker keeps the work it acknowledged, through faults that come together.",
  onlyByName: true,
  knobs: CHAOS_SETTINGS,
  figureLabels: {
    skipped: "skipped",
    seed: "seed",
    faults: "faults applied",
    acknowledged: "orders acknowledged",
    lost: "lost",
    duplicated: "duplicated",
    stuck: "stuck after the drain",
  },
  run,
  explain(s) {
    const runs = s.runs.filter((r) => auditOf(r));
    if (runs.length === 0) return s.runs.map((r) => `${MODE_NAME[r.mode]}: not run (${String(r.figures.skipped ?? "no result")}).`);
    return runs.map((r) => {
      const a = auditOf(r)!;
      const faults = a.schedule
        .map((f) => `${f.op} ${f.appliedTarget ?? f.target} at ${(Number(f.appliedAtMs) / 1000).toFixed(1)} s for ${(f.holdMs / 1000).toFixed(1)} s`)
        .join("; ");
      return `${MODE_NAME[r.mode]} (seed ${a.seed}${a.natsServer ? `, nats-server ${a.natsServer}` : ""}): ${faults}. Of ${a.sent} orders, ${a.acknowledged} acknowledged; lost ${a.lost}, duplicated ${a.duplicated}, falsely reported ${a.falseSuccess}, stuck ${a.stuck}; the client re-sent ${a.resent}; everything was done ${a.recoveryMs} ms after the last heal.`;
    });
  },
  verdict(r) {
    if (!r) return "not run";
    const a = auditOf(r);
    if (!a) return `skipped: ${String(r.figures.skipped ?? "no result")}`;
    return `${a.schedule.length} faults: lost ${a.lost}, duplicated ${a.duplicated}, stuck ${a.stuck}; re-sent ${a.resent}; recovered in ${a.recoveryMs} ms`;
  },
  keyFigure: (r) => (auditOf(r) ? `lost ${r.figures.lost}, duplicated ${r.figures.duplicated}, stuck ${r.figures.stuck}` : "skipped"),
  charts(s) {
    return s.runs
      .filter((r) => r.load)
      .map((r) =>
        timelineChart(
          `${MODE_NAME[r.mode]} under chaos: each fault shaded from applied to healed, orders completed and failed per second`,
          [r],
          faultBands(auditOf(r)),
        ),
      );
  },
  tables(s): ReportTable[] {
    const runs = s.runs.filter((r) => auditOf(r));
    if (runs.length === 0) return [];
    return [
      {
        caption: `The same chaos, mode against mode (seed ${auditOf(runs[0])!.seed})`,
        header: ["", ...runs.map((r) => MODE_NAME[r.mode])],
        rows: CHAOS_AUDIT_ROWS.map(([label, f]) => [label, ...runs.map((r) => f(auditOf(r)!))]),
      },
    ];
  },
  summarize(s, summary) {
    const of = (mode: Mode) => auditOf(runOf(s, mode));
    const chaosSummary: ChaosSummary = {};
    for (const mode of ["grpc", "nats"] as const) {
      const a = of(mode);
      if (a) chaosSummary[mode] = a;
    }
    summary.chaos = chaosSummary;
  },
};
