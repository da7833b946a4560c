import { expect } from "chai";
import { RoundBudget } from "../../lab/measure/round-budget.js";

describe("the run's round budget", () => {
  it("gives each claimant what is left divided among it and those still to come", () => {
    const budget = new RoundBudget(90_000, ["traces", "secure", "durability"]);
    const traces = budget.shareOf("traces");
    expect(traces.ms).to.equal(30_000);
    traces.spend(10_000);
    // What traces left unspent passes on: 80 s for two.
    expect(budget.shareOf("secure").ms).to.equal(40_000);
    expect(budget.shareOf("durability").ms).to.equal(80_000);
  });

  it("allows a round only while it fits in the share, and counts what was spent", () => {
    const share = new RoundBudget(20_000, ["traces"]).shareOf("traces");
    expect(share.allows(15_000)).to.equal(true);
    share.spend(15_000);
    expect(share.allows(6_000)).to.equal(false);
    expect(share.allows(5_000)).to.equal(true);
    expect(share.spentMs).to.equal(15_000);
  });

  it("gives a scenario that is not a claimant nothing, and leaves the claimants' budget alone", () => {
    const budget = new RoundBudget(60_000, ["secure"]);
    const baseline = budget.shareOf("baseline");
    expect(baseline.ms).to.equal(0);
    expect(baseline.allows(1)).to.equal(false);
    expect(budget.shareOf("secure").ms).to.equal(60_000);
  });

  it("never charges a later claimant for a round that overran the share", () => {
    const budget = new RoundBudget(10_000, ["traces", "secure"]);
    budget.shareOf("traces").spend(12_000);
    expect(budget.shareOf("secure").ms).to.equal(0);
  });

  it("refuses a budget that is not a duration, naming it", () => {
    expect(() => new RoundBudget(Number.NaN, [])).to.throw(/round budget: NaN ms/);
    expect(() => new RoundBudget(-1, [])).to.throw(/round budget/);
  });
});
