import { ms, shown } from "../report/format.js";
import { MODE_NAME, runOf, type Mode, type ModeRun, type ScenarioResult } from "../results.js";
import type { LabContext } from "../context.js";
import { costFindings, priceFeature, pricedRun, type Priced, type PricedFeature } from "./priced.js";
import { NOTHING, resultOf, type Scenario } from "./scenario.js";

const feature: PricedFeature = {
  label: "secure",
  variants: () => ({ off: { secure: false }, on: { secure: true } }),
  cost: (mode: Mode) => ({ id: `cost.secure.${mode}`, label: `What the secure profile costs ${MODE_NAME[mode]} (services and broker)` }),
};

function runFrom(p: Priced): ModeRun {
  return pricedRun(p, ({ off, on }) => ({
    cpuMsPerOrderPlain: off.cpu,
    cpuMsPerOrderSecure: on.cpu,
    cpuRoundsPlain: off.cpuRounds,
    cpuRoundsSecure: on.cpuRounds,
    completeP50Plain: off.completeP50,
    completeP50Secure: on.completeP50,
    acceptP50Plain: off.acceptP50,
    acceptP50Secure: on.acceptP50,
  }));
}

/**
 * What the secure profile costs. Each mode runs in the plain profile and in the
 * secure one (mutual TLS on every connection; for NATS also NKey authentication
 * and subject permissions) side by side in each round.
 */
async function run(ctx: LabContext): Promise<ScenarioResult> {
  const priced = await priceFeature(ctx, feature, (p) => resultOf(secure, p.map(runFrom)));
  return resultOf(secure, priced.map(runFrom));
}

/** What the secure profile adds in each style. */
const SECURED_BY: Record<Mode, string> = { grpc: "mutual TLS on every call", nats: "mutual TLS, NKey authentication and subject permissions" };

export const secure: Scenario = {
  ...NOTHING,
  id: "secure",
  takesRoundBudget: true,
  title: "Security: what mutual TLS and NKeys cost",
  claim:
    "Both ways can be made to trust only who they must: a gRPC server checks each caller's certificate; a broker checks each client's key and what subjects it may use.",
  figureLabels: {
    cpuMsPerOrderPlain: "CPU ms per order, plain profile (services and broker; median round)",
    cpuMsPerOrderSecure: "CPU ms per order, secure profile (median round)",
    cpuRoundsPlain: "plain, each round",
    cpuRoundsSecure: "secure, each round",
    completeP50Plain: "complete p50, plain (ms)",
    completeP50Secure: "complete p50, secure (ms)",
    acceptP50Plain: "accept p50, plain (ms)",
    acceptP50Secure: "accept p50, secure (ms)",
  },
  run,
  explain(s, report) {
    const parts: string[] = [];
    for (const m of ["grpc", "nats"] as const) {
      const r = runOf(s, m);
      const cost = report.findings.find((f) => f.id === `cost.secure.${m}`);
      if (!r || !cost) continue;
      const what = SECURED_BY[m];
      parts.push(
        `The secure profile (${what}) in ${MODE_NAME[m]}, over ${cost.rounds} rounds: ${cost.text}; completion p50 went from ${ms(Number(r.figures.completeP50Plain))} to ${ms(Number(r.figures.completeP50Secure))}.`,
      );
    }
    return parts;
  },
  verdict(r, _s, report) {
    if (!r) return "not run";
    const cost = report.findings.find((f) => f.id === `cost.secure.${r.mode}`);
    return `secure profile: ${cost?.text ?? "not measured"}; complete p50 ${ms(Number(r.figures.completeP50Plain))} → ${ms(Number(r.figures.completeP50Secure))}`;
  },
  keyFigure: (r) => `secure ${shown(r.figures.cpuMsPerOrderSecure)} vs plain ${shown(r.figures.cpuMsPerOrderPlain)} ms/order`,
  findings: (s) => costFindings(s, feature),
};
