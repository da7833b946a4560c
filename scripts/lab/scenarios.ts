import { baseline } from "./scenarios/baseline.js";
import { capacity } from "./scenarios/capacity.js";
import { crash } from "./scenarios/crash.js";
import { serverDown } from "./scenarios/down.js";
import { overload } from "./scenarios/overload.js";
import { withSession } from "./scenarios/session.js";
import { clusterScenario } from "./scenarios/cluster.js";
import { scaleOut } from "./scenarios/scale-out.js";
import { secureScenario } from "./scenarios/secure.js";
import { tracesScenario } from "./scenarios/traces.js";
import type { LabContext, ModeRun, ScenarioId, ScenarioResult } from "./scenario-types.js";

export * from "./scenario-types.js";

export async function runScenario(id: ScenarioId, ctx: LabContext, baselineResult?: ScenarioResult): Promise<ScenarioResult> {
  switch (id) {
    case "baseline":
      return baseline(ctx);
    case "capacity":
      return capacity(ctx);
    case "traces":
      return tracesScenario(ctx);
    case "secure":
      return secureScenario(ctx);
    case "scale-out":
      return scaleOut(ctx);
    case "cluster":
      return clusterScenario(ctx);
    case "down":
      return serverDown(ctx);
    case "overload":
      return overload(ctx);
    case "crash":
      return crash(ctx);
    case "addresses": {
      // Read from the services' running configuration in the baseline run (or a fresh start).
      const runs = baselineResult?.runs.map((r) => ({ mode: r.mode, addresses: r.addresses, figures: {} }));
      if (runs) return { id, title: "Addresses each service needed", runs };
      const fresh: ModeRun[] = [];
      for (const mode of ctx.modes)
        fresh.push(await withSession(ctx, "addresses", mode, {}, async (x) => ({ mode, addresses: x.stack.addressesUsed(), figures: {} })));
      return { id, title: "Addresses each service needed", runs: fresh };
    }
  }
}
