import { medianAndSpread } from "../capacity-search.js";
import type { LabContext, ModeRun, ScenarioResult } from "../scenario-types.js";
import type { Mode } from "../../../services/common/config.js";
import { closestToMedian, cpuTotal, runAtBaseline, type AtBaseline } from "./at-baseline.js";

/**
 * What the secure profile costs. Each mode runs at the baseline rate in the
 * plain profile and in the secure one (mutual TLS on every connection; for
 * NATS also NKey authentication and subject permissions), side by side in
 * each round, every run started afresh: CPU per order and latency of both.
 */
export async function secureScenario(ctx: LabContext): Promise<ScenarioResult> {
  const perMode = new Map<Mode, { plain: AtBaseline[]; secure: AtBaseline[] }>();
  for (let round = 1; round <= ctx.settings.comparisonRounds; round++)
    for (const mode of ctx.modes) {
      const m = perMode.get(mode) ?? { plain: [], secure: [] };
      m.plain.push(await runAtBaseline(ctx, mode, `secure-plain-${round}`, { secure: false }));
      m.secure.push(await runAtBaseline(ctx, mode, `secure-secure-${round}`, { secure: true }));
      perMode.set(mode, m);
    }
  const runs: ModeRun[] = ctx.modes.map((mode) => {
    const { plain, secure } = perMode.get(mode)!;
    const plainCpu = medianAndSpread(plain.map((r) => cpuTotal(r.cpu)));
    const secureCpu = medianAndSpread(secure.map((r) => cpuTotal(r.cpu)));
    const median = (runs: AtBaseline[], pick: (r: AtBaseline) => number) => medianAndSpread(runs.map(pick)).median;
    const chosen = closestToMedian(secure, secureCpu.median);
    const cost = Math.round((secureCpu.median - plainCpu.median) * 100) / 100;
    return {
      mode,
      load: chosen.load,
      cpu: chosen.cpu,
      figures: {
        cpuMsPerOrderPlain: plainCpu.median,
        cpuMsPerOrderSecure: secureCpu.median,
        securityCostMsPerOrder: cost,
        securityCostShare: plainCpu.median > 0 ? `${Math.round((cost / plainCpu.median) * 100)}%` : "–",
        completeP50Plain: median(plain, (r) => r.load.complete.p50),
        completeP50Secure: median(secure, (r) => r.load.complete.p50),
        acceptP50Plain: median(plain, (r) => r.load.accept.p50),
        acceptP50Secure: median(secure, (r) => r.load.accept.p50),
        ...(secure.length > 1
          ? { cpuRoundsPlain: plain.map((r) => cpuTotal(r.cpu)).join(" / "), cpuRoundsSecure: secure.map((r) => cpuTotal(r.cpu)).join(" / ") }
          : {}),
      },
    };
  });
  return { id: "secure", title: "Security: what mutual TLS and NKeys cost", runs };
}
