import type { ModeRun, ScenarioResult } from "../results.js";
import { MODE_NAME, runOf, type Mode } from "../results.js";
import type { LabContext } from "../context.js";
import { withSession } from "../systems/session.js";
import { baseline } from "./baseline.js";
import { NOTHING, resultOf, type Scenario } from "./scenario.js";

/** The address variables a service was given, other than its own listen address. */
const known = (env: Record<string, string>) => Object.entries(env).filter(([k]) => k !== "GRPC_LISTEN_ADDR");

/** Read from the services' running configuration in the baseline run, or from a fresh start. */
async function run(ctx: LabContext, earlier: readonly ScenarioResult[]): Promise<ScenarioResult> {
  const fromBaseline = earlier.find((r) => r.id === baseline.id)?.runs.map((r): ModeRun => ({ mode: r.mode, addresses: r.addresses, figures: {} }));
  if (fromBaseline) return resultOf(addresses, fromBaseline);
  const fresh: ModeRun[] = [];
  for (const mode of ctx.modes)
    fresh.push(await withSession(ctx, addresses.id, mode, {}, async (x) => ({ mode, addresses: x.stack.addressesUsed(), figures: {} })));
  return resultOf(addresses, fresh);
}

/** The verdict on each style's run, from the address variables its services were given. */
const VERDICT: Record<Mode, (vars: string[]) => string> = {
  grpc: (vars) => `the order service had to be given ${vars.join(" and ")}`,
  nats: () => `every service was given only the broker's address`,
};

export const addresses: Scenario = {
  ...NOTHING,
  id: "addresses",
  title: "Addresses each service needed",
  claim: "Synchronous: the client must know the address of each server. Asynchronous: the broker's address is enough.",
  figureLabels: {},
  run,
  explain(s) {
    const count = (m: Mode) => new Set(Object.values(runOf(s, m)?.addresses ?? {}).flatMap((env) => known(env).map(([, v]) => v))).size;
    const out: string[] = [];
    if (runOf(s, "grpc"))
      out.push(
        `In gRPC mode the order service had to be given billing's and notification's addresses (${count("grpc")} distinct server addresses in all), and a new replica means new configuration for its callers.`,
      );
    if (runOf(s, "nats")) out.push(`In NATS mode every service was given one address, the broker's (${count("nats")} distinct address in all).`);
    return out;
  },
  verdict(r) {
    if (!r) return "not run";
    const vars = new Set(Object.values(r.addresses ?? {}).flatMap((env) => known(env).map(([k]) => k)));
    return VERDICT[r.mode]([...vars]);
  },
  keyFigure: (r) =>
    Object.entries(r.addresses ?? {})
      .map(
        ([svc, env]) =>
          `${svc}: ${
            known(env)
              .map(([k]) => k)
              .join("+") || "-"
          }`,
      )
      .join("; "),
  tables: (s) => [
    {
      header: ["mode", "service", "addresses it was configured with"],
      rows: s.runs.flatMap((r) =>
        Object.entries(r.addresses ?? {}).map(([svc, env]) => [
          MODE_NAME[r.mode],
          svc,
          Object.entries(env)
            .map(([k, v]) => `${k}=${v}`)
            .join("\n") || "none",
        ]),
      ),
    },
  ],
};
