import { ensureNatsServer, ensureSuiteNatsServer, versionOf } from "../../testbed/nats-server.js";
import { shown } from "../report/format.js";
import { runOf, type Finding, type ModeRun, type ScenarioResult } from "../results.js";
import type { LabContext } from "../context.js";
import { allOpenUnless, closestToMedian, cpuTotal, measureRounds, startWarmedUp, type MeasuredRound } from "../measure/rounds.js";
import type { RunningSystem, SystemOptions } from "../systems/systems.js";
import { decided, medianAndSpread, pairedFinding } from "../stats.js";
import { NOTHING, resultOf, type Scenario } from "./scenario.js";

/** The findings this scenario makes, by id: the other server against the default, and sync_interval: always on each. */
export const BROKER_VERSION_FINDINGS = {
  cpu: "broker-versions.cpu.nats",
  brokerCpu: "broker-versions.broker-cpu.nats",
  syncAlwaysDefault: "broker-versions.sync-always.default",
  syncAlwaysOther: "broker-versions.sync-always.other",
} as const;

/** The four systems, in the order each round loads them. */
const ARMS = [
  { key: "defaultPlain", server: "default", sync: "default" },
  { key: "otherPlain", server: "other", sync: "default" },
  { key: "defaultAlways", server: "default", sync: "always" },
  { key: "otherAlways", server: "other", sync: "always" },
] as const;
type ArmKey = (typeof ARMS)[number]["key"];

/** The other server: --nats-server, else Debian 13's 2.10 (fetched into .tools/ when it can be); or why there is none. */
function otherServer(ctx: LabContext): { binary: string } | { skipped: string } {
  if (ctx.otherNatsServer) return { binary: ctx.otherNatsServer };
  try {
    return { binary: ensureSuiteNatsServer("trixie", (l) => ctx.log(l)) };
  } catch (err) {
    return { skipped: `no other nats-server to compare with (${(err as Error).message}); name one with --nats-server PATH` };
  }
}

const cpuSeries = (rounds: readonly MeasuredRound[]) => rounds.map((r) => cpuTotal(r.cpu));
const brokerSeries = (rounds: readonly MeasuredRound[]) => rounds.map((r) => r.cpu.broker ?? 0);

function findingsOf(series: Record<string, number[]>, versions: { default: string; other: string }): Finding[] {
  const s = (k: string) => series[k] ?? [];
  const costWords = { higher: "costs", lower: "saves" };
  return [
    pairedFinding(
      {
        id: BROKER_VERSION_FINDINGS.cpu,
        label: `NATS CPU per order (services and broker) on nats-server ${versions.other} ÷ on ${versions.default}`,
        kind: "ratio",
        unit: "×",
        words: { higher: `${versions.other} costs more`, lower: `${versions.other} costs less` },
      },
      s("cpu.otherPlain"),
      s("cpu.defaultPlain"),
    ),
    pairedFinding(
      {
        id: BROKER_VERSION_FINDINGS.brokerCpu,
        label: `The broker's CPU per order on nats-server ${versions.other} ÷ on ${versions.default}`,
        kind: "ratio",
        unit: "×",
        words: { higher: `${versions.other}'s broker works more`, lower: `${versions.other}'s broker works less` },
      },
      s("broker.otherPlain"),
      s("broker.defaultPlain"),
    ),
    pairedFinding(
      {
        id: BROKER_VERSION_FINDINGS.syncAlwaysDefault,
        label: `What sync_interval: always costs NATS on nats-server ${versions.default} (services and broker)`,
        kind: "difference",
        unit: "ms CPU per order",
        words: costWords,
      },
      s("cpu.defaultAlways"),
      s("cpu.defaultPlain"),
    ),
    pairedFinding(
      {
        id: BROKER_VERSION_FINDINGS.syncAlwaysOther,
        label: `What sync_interval: always costs NATS on nats-server ${versions.other} (services and broker)`,
        kind: "difference",
        unit: "ms CPU per order",
        words: costWords,
      },
      s("cpu.otherAlways"),
      s("cpu.otherPlain"),
    ),
  ];
}

function versionsOf(r: ModeRun): { default: string; other: string } {
  return { default: String(r.figures.defaultServer), other: String(r.figures.otherServer) };
}

function runFrom(rounds: Record<ArmKey, MeasuredRound[]>, versions: { default: string; other: string }): ModeRun {
  const series: Record<string, number[]> = {};
  const figures: ModeRun["figures"] = { defaultServer: versions.default, otherServer: versions.other };
  for (const arm of ARMS) {
    series[`cpu.${arm.key}`] = cpuSeries(rounds[arm.key]);
    series[`broker.${arm.key}`] = brokerSeries(rounds[arm.key]);
    figures[`cpu_${arm.key}`] = Math.round(medianAndSpread(series[`cpu.${arm.key}`]!).median * 100) / 100;
    figures[`broker_${arm.key}`] = Math.round(medianAndSpread(series[`broker.${arm.key}`]!).median * 100) / 100;
  }
  const chosen = closestToMedian(rounds.defaultPlain, Number(figures.cpu_defaultPlain));
  return { mode: "nats", load: chosen.load, cpu: chosen.cpu, series, figures };
}

/**
 * The NATS mode on two nats-servers side by side: the default (the newest line there is) and
 * another (2.10 unless --nats-server names one), each with JetStream's default flushing and with
 * sync_interval: always; four systems loaded in turn in every round at the priced rate, until
 * every comparison is decided or the cap is reached.
 */
async function run(ctx: LabContext): Promise<ScenarioResult> {
  if (!ctx.modes.includes("nats")) return resultOf(brokerVersions, []);
  const other = otherServer(ctx);
  if ("skipped" in other) return resultOf(brokerVersions, [{ mode: "nats", figures: { skipped: other.skipped } }]);
  const binaries = { default: ensureNatsServer((l) => ctx.log(l)), other: other.binary };
  const versions = { default: versionOf(binaries.default), other: versionOf(binaries.other) };
  ctx.log(`[broker-versions] nats-server ${versions.default} (${binaries.default}) against ${versions.other} (${binaries.other})`);
  const s = ctx.settings;
  const systems: RunningSystem[] = [];
  try {
    await startWarmedUp(
      ctx,
      systems,
      ARMS.map((arm) => ({
        scenario: `broker-versions-${arm.key}`,
        id: "nats" as const,
        options: { natsServer: binaries[arm.server], sync: arm.sync } satisfies SystemOptions,
        label: `broker-versions ${arm.key}`,
      })),
    );
    const byArm = (rounds: MeasuredRound[][]) => Object.fromEntries(ARMS.map((a, i) => [a.key, rounds[i]!])) as Record<ArmKey, MeasuredRound[]>;
    const rounds = await measureRounds(
      ctx,
      systems,
      {
        label: "broker-versions",
        rate: s.pricedRate,
        durationMs: s.baselineMs,
        min: s.comparisonRounds,
        max: s.maxRounds,
        open: (r) => allOpenUnless(findingsOf(runFrom(byArm(r), versions).series!, versions).every(decided), systems.length),
      },
      ARMS.map((a) => `${a.server === "default" ? versions.default : versions.other} ${a.sync}`),
    );
    return resultOf(brokerVersions, [runFrom(byArm(rounds), versions)]);
  } finally {
    await Promise.all(systems.map((system) => system.stop()));
  }
}

function findings(s: ScenarioResult): Finding[] {
  const r = runOf(s, "nats");
  if (!r?.series || r.figures.skipped !== undefined) return [];
  return findingsOf(r.series, versionsOf(r));
}

export const brokerVersions: Scenario = {
  ...NOTHING,
  id: "broker-versions",
  title: "Broker versions: the NATS mode on the default nats-server and on another, with and without sync_interval: always",
  claim: "The broker's release line changes what NATS costs: newer servers batch their fsyncs and stage duplicate ids differently.",
  // Four NATS systems for several rounds, and a second server to fetch: asked for by name.
  onlyByName: true,
  figureLabels: {
    skipped: "skipped",
    defaultServer: "the default nats-server",
    otherServer: "the other nats-server",
    cpu_defaultPlain: "CPU ms per order, default server, default flushing (median round)",
    cpu_otherPlain: "CPU ms per order, other server, default flushing",
    cpu_defaultAlways: "CPU ms per order, default server, sync_interval: always",
    cpu_otherAlways: "CPU ms per order, other server, sync_interval: always",
    broker_defaultPlain: "broker CPU ms per order, default server",
    broker_otherPlain: "broker CPU ms per order, other server",
    broker_defaultAlways: "broker CPU ms per order, default server, always",
    broker_otherAlways: "broker CPU ms per order, other server, always",
  },
  run,
  explain(s, report) {
    const r = runOf(s, "nats");
    if (!r) return [];
    if (r.figures.skipped !== undefined) return [`Not run: ${String(r.figures.skipped)}.`];
    const v = versionsOf(r);
    const text = (id: string) => report.findings.find((f) => f.id === id)?.text ?? "not measured";
    return [
      `The NATS mode ran on nats-server ${v.default} (the default) and ${v.other}, each with the default flushing and with sync_interval: always, loaded in turn in every round.`,
      `CPU per order (services and broker), ${v.other} against ${v.default}: ${text(BROKER_VERSION_FINDINGS.cpu)}; the broker alone: ${text(BROKER_VERSION_FINDINGS.brokerCpu)}.`,
      `sync_interval: always on ${v.default}: ${text(BROKER_VERSION_FINDINGS.syncAlwaysDefault)}; on ${v.other}: ${text(BROKER_VERSION_FINDINGS.syncAlwaysOther)}.`,
    ];
  },
  verdict(r, _s, report) {
    if (!r) return "not applicable: the gRPC mode has no broker";
    if (r.figures.skipped !== undefined) return `skipped: ${String(r.figures.skipped)}`;
    const v = versionsOf(r);
    const cpu = report.findings.find((f) => f.id === BROKER_VERSION_FINDINGS.cpu);
    return `${v.other} vs ${v.default}: ${cpu?.text ?? "not measured"}`;
  },
  keyFigure: (r) =>
    r.figures.skipped !== undefined
      ? "skipped"
      : `${String(r.figures.defaultServer)} ${shown(r.figures.cpu_defaultPlain)} vs ${String(r.figures.otherServer)} ${shown(r.figures.cpu_otherPlain)} ms/order`,
  findings,
};
