import { ms, shown } from "../report/format.js";
import { runOf, type Finding, type ModeRun, type ScenarioResult } from "../results.js";
import type { LabContext } from "../context.js";
import { pairedFinding } from "../stats.js";
import { costFindings, priceFeature, pricedRun, type Priced, type PricedFeature } from "./priced.js";
import { NOTHING, resultOf, type Scenario } from "./scenario.js";
import { CAPABILITIES } from "../../testbed/stack/capabilities.js";

/** This scenario's findings (results.json's ids). */
export const FINDINGS = { cost: "cost.sync-always.nats", answer: "latency.answer.sync-always.nats" } as const;

const feature: PricedFeature = {
  label: "durability",
  // Only a broker keeps work to lose: the gRPC mode has no log to flush.
  variants: (mode) => (CAPABILITIES[mode].hasBroker ? { off: {}, on: { sync: "always" } } : undefined),
  cost: () => ({ id: FINDINGS.cost, label: "What sync_interval: always costs NATS (services and broker)" }),
};

function runFrom(p: Priced): ModeRun {
  return pricedRun(p, ({ off, on }) => ({
    cpuMsPerOrderDefault: off.cpu,
    cpuMsPerOrderAlways: on.cpu,
    cpuRoundsDefault: off.cpuRounds,
    cpuRoundsAlways: on.cpuRounds,
    brokerCpuDefault: off.broker,
    brokerCpuAlways: on.broker,
    acceptP50Default: off.acceptP50,
    acceptP50Always: on.acceptP50,
    completeP50Default: off.completeP50,
    completeP50Always: on.completeP50,
  }));
}

function findings(s: ScenarioResult): Finding[] {
  const series = runOf(s, "nats")?.series;
  const answer =
    series?.acceptOn && series.acceptOff
      ? [
          pairedFinding(
            {
              id: FINDINGS.answer,
              label: "The client's answer (p50) with sync_interval: always ÷ the default",
              kind: "ratio",
              unit: "×",
              words: { higher: "the answer waits for the disk", lower: "the answer comes sooner" },
            },
            series.acceptOn,
            series.acceptOff,
          ),
        ]
      : [];
  return [...costFindings(s, feature), ...answer];
}

/**
 * What the power-loss-safe profile costs: the NATS mode at the priced rate with
 * JetStream's default flushing (about every 2 minutes) and with sync_interval:
 * always (an fsync before every acknowledgement), side by side in each round.
 */
async function run(ctx: LabContext): Promise<ScenarioResult> {
  const priced = await priceFeature(ctx, feature, (p) => resultOf(durability, p.map(runFrom)));
  return resultOf(durability, priced.map(runFrom));
}

export const durability: Scenario = {
  ...NOTHING,
  id: "durability",
  takesRoundBudget: true,
  title: "Durability: what an fsync before every acknowledgement costs",
  claim: "A broker keeps a message once it has acknowledged it; how safely depends on when it writes the message to disk.",
  figureLabels: {
    cpuMsPerOrderDefault: "CPU ms per order, default flushing (services and broker; median round)",
    cpuMsPerOrderAlways: "CPU ms per order, sync_interval: always (median round)",
    cpuRoundsDefault: "default, each round",
    cpuRoundsAlways: "always, each round",
    brokerCpuDefault: "broker CPU ms per order, default",
    brokerCpuAlways: "broker CPU ms per order, always",
    acceptP50Default: "answer p50, default (ms)",
    acceptP50Always: "answer p50, always (ms)",
    completeP50Default: "complete p50, default (ms)",
    completeP50Always: "complete p50, always (ms)",
  },
  run,
  explain(s, report) {
    const x = runOf(s, "nats");
    if (!x) return [];
    const cost = report.findings.find((f) => f.id === FINDINGS.cost);
    const answer = report.findings.find((f) => f.id === FINDINGS.answer);
    return [
      `With sync_interval: always, JetStream writes every message to disk (fsync) before it acknowledges it, so a power loss, even on a majority of a cluster, loses nothing acknowledged; by default it flushes about every two minutes. Over ${cost?.rounds ?? 0} rounds: ${cost?.text ?? "not measured"}. The client's answer: ${answer?.text ?? "not measured"} (median ${ms(Number(x.figures.acceptP50Always))} against ${ms(Number(x.figures.acceptP50Default))}); completion ${ms(Number(x.figures.completeP50Always))} against ${ms(Number(x.figures.completeP50Default))}.`,
    ];
  },
  verdict(r, _s, report) {
    if (!r) return "not applicable: no broker log to flush";
    const cost = report.findings.find((f) => f.id === FINDINGS.cost);
    return `sync_interval: always: ${cost?.text ?? "not measured"}; answer p50 ${ms(Number(r.figures.acceptP50Always))} vs ${ms(Number(r.figures.acceptP50Default))}`;
  },
  keyFigure: (r) => `always ${shown(r.figures.cpuMsPerOrderAlways)} vs default ${shown(r.figures.cpuMsPerOrderDefault)} ms/order`,
  findings,
};
