import { expect } from "chai";
import { meanInterval, pairedFinding, t95, unpairedDifferenceFinding, unpairedRatioFinding, type FindingSpec } from "../../lab/stats.js";

const ratio: FindingSpec = { id: "x.ratio", label: "a ÷ b", kind: "ratio", unit: "×", words: { higher: "a is more", lower: "a is less" } };
const cost: FindingSpec = { id: "x.cost", label: "a − b", kind: "difference", unit: "ms", words: { higher: "costs", lower: "saves" } };

describe("findings from paired rounds", () => {
  it("gives Student's t interval of the mean", () => {
    const { mean, low, high } = meanInterval([1, 2, 3]);
    expect(mean).to.equal(2);
    // sd 1, n 3: half-width t(2) / sqrt(3)
    expect(high - mean).to.be.closeTo(t95(2) / Math.sqrt(3), 1e-9);
    expect(mean - low).to.be.closeTo(high - mean, 1e-9);
  });

  it("says higher only when the whole interval lies above no difference", () => {
    const f = pairedFinding(ratio, [2.1, 2.0, 1.9, 2.05], [1, 1, 1, 1]);
    expect(f.verdict).to.equal("higher");
    expect(f.noDifference).to.equal(1);
    expect(f.low).to.be.greaterThan(1);
    expect(f.estimate).to.be.within(f.low, f.high);
    expect(f.text).to.match(/^a is more: /);
  });

  it("says lower when the whole interval lies below", () => {
    const f = pairedFinding(ratio, [0.5, 0.52, 0.49], [1, 1, 1]);
    expect(f.verdict).to.equal("lower");
    expect(f.high).to.be.lessThan(1);
  });

  it("never prints a signed cost when the interval includes zero", () => {
    const f = pairedFinding(cost, [10.1, 9.7, 10.3, 9.8], [10, 10, 10, 10]);
    expect(f.noDifference).to.equal(0);
    expect(f.low).to.be.lessThan(0);
    expect(f.high).to.be.greaterThan(0);
    expect(f.verdict).to.equal("no measurable difference");
    expect(f.text).to.match(/^no measurable difference \(-[\d.]+ to [\d.]+ ms\)$/);
  });

  it("pairs rounds: a shift the machine puts on both sides of a round does not widen the interval", () => {
    // Both sides swing together from round to round; their difference is steady.
    const b = [5, 9, 6, 12];
    const f = pairedFinding(
      cost,
      b.map((x) => x + 1),
      b,
    );
    expect(f.verdict).to.equal("higher");
    expect(f.low).to.be.closeTo(1, 1e-9);
    expect(f.high).to.be.closeTo(1, 1e-9);
  });

  it("leaves out rounds a side did not measure, and cannot decide on one round", () => {
    const f = pairedFinding(ratio, [2, Number.NaN], [1, 1]);
    expect(f.rounds).to.equal(1);
    expect(f.verdict).to.equal("no measurable difference");
    expect(f.text).to.match(/^not decided/);
  });

  it("compares two independent samples by the ratio of their means", () => {
    const gain = { ...ratio, kind: "ratio" as const };
    const more = unpairedRatioFinding(gain, [110, 118, 112, 121, 115], [60, 58, 63, 61, 59]);
    expect(more.estimate).to.be.closeTo(576 / 301, 0.01);
    expect(more.verdict).to.equal("higher");
    const same = unpairedRatioFinding(gain, [60, 80, 40, 75], [62, 55, 70, 58]);
    expect(same.verdict).to.equal("no measurable difference");
  });

  it("compares two independent samples by the difference of their means, with Welch's interval", () => {
    const added = { ...cost, kind: "difference" as const };
    // Means 43 and 11; variances 2.5 and 2.5, n 5 each: half-width t(4) * sqrt(2.5/5 + 2.5/5).
    const f = unpairedDifferenceFinding(added, [41, 42, 43, 44, 45], [9, 10, 11, 12, 13]);
    expect(f.estimate).to.equal(32);
    expect(f.high - f.estimate).to.be.closeTo(t95(4) * 1, 0.01);
    expect(f.verdict).to.equal("higher");
    expect(f.text).to.match(/^costs: /);
    expect(unpairedDifferenceFinding(added, [10, 14, 9, 13], [11, 12, 10, 13]).verdict).to.equal("no measurable difference");
    expect(unpairedDifferenceFinding(added, [10], [11, 12]).text).to.match(/^not decided/);
  });
});
