import { expect } from "chai";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { LabContext } from "../../lab/context.js";
import { measureRounds, type RoundsPlan } from "../../lab/measure/rounds.js";
import { RoundBudget } from "../../lab/measure/round-budget.js";
import { PROFILES } from "../../lab/settings.js";
import type { RunningSystem } from "../../lab/systems/systems.js";
import type { LoadResult } from "../../testbed/load/load-generator.js";

/**
 * The round loop's bookkeeping, with systems that only count their turns: which systems a round
 * measures once some are decided, and when the round budget ends rounds past the cap. (What a
 * real system's round measures is the lab's business, run by `npm start`.)
 */
describe("measuring in rounds", () => {
  let dir: string;
  let ctx: LabContext;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "gvn-rounds-"));
    ctx = { settings: PROFILES.short, outDir: dir, modes: ["grpc", "nats"], log: () => undefined, probes: [] };
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const counting = (turns: string[], name: string): RunningSystem =>
    ({
      id: "grpc",
      cpu: () => ({ processes: { order: turns.length * 10 } }),
      load: async () => {
        turns.push(name);
        return { completed: 10, orders: [], accept: {}, complete: {} } as unknown as LoadResult;
      },
    }) as unknown as RunningSystem;

  const plan = (over: Partial<RoundsPlan>): RoundsPlan => ({ label: "test", rate: 1, durationMs: 1, min: 2, max: 3, open: () => [0, 1], ...over });

  it("measures only the systems still open once the minimum is taken", async () => {
    const turns: string[] = [];
    const systems = ["a", "b", "c"].map((n) => counting(turns, n));
    // After round 2, only b stays open; after round 3, none.
    const rounds = await measureRounds(ctx, systems, plan({ open: (r) => (r[1]!.length < 3 ? [1] : []) }), ["a", "b", "c"]);
    expect(rounds.map((r) => r.length)).to.deep.equal([2, 3, 2]);
    expect([...turns.slice(0, 3)].sort()).to.deep.equal(["a", "b", "c"]);
    expect(turns.slice(3, 6)).to.deep.equal(turns.slice(0, 3).reverse());
    expect(turns.slice(6)).to.deep.equal(["b"]);
  });

  it("goes past the cap only while the scenario's share of the budget lasts", async () => {
    const turns: string[] = [];
    const systems = ["a", "b"].map((n) => counting(turns, n));
    const none = new RoundBudget(0, ["traces"]).shareOf("traces");
    const capped = await measureRounds(ctx, systems, plan({ beyond: { upTo: 6, share: none } }), ["a", "b"]);
    expect(capped.map((r) => r.length)).to.deep.equal([3, 3]);

    const ample = new RoundBudget(600_000, ["traces"]).shareOf("traces");
    const beyond = await measureRounds(ctx, systems, plan({ beyond: { upTo: 6, share: ample } }), ["a", "b"]);
    expect(beyond.map((r) => r.length)).to.deep.equal([6, 6]);
    expect(ample.spentMs).to.be.greaterThan(0);
  });
});
