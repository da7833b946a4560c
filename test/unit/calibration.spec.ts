import { expect } from "chai";
import { withCalibration } from "../../lab/calibration.js";
import { pairedFinding, type FindingSpec } from "../../lab/stats.js";

const spec = (id: string): FindingSpec => ({ id, label: id, kind: "ratio", unit: "×", words: { higher: "more", lower: "less" } });

describe("the A/A calibration", () => {
  const decidedComparison = pairedFinding(spec("cpu.grpc-vs-bare"), [2, 2.1, 2.05, 1.95], [1, 1.02, 0.99, 1.01]);

  it("leaves the verdicts alone when identical arms show no difference", () => {
    const aa = pairedFinding(spec("calibration.aa.grpc"), [1, 1.1, 0.9, 1.05], [1.05, 0.95, 1, 1]);
    expect(aa.verdict).to.equal("no measurable difference");
    const out = withCalibration([decidedComparison, aa]);
    expect(out[0]).to.deep.equal(decidedComparison);
    expect(out[0]!.withheld).to.equal(undefined);
  });

  it("withholds every other verdict, saying why and keeping the figures, when identical arms differ", () => {
    const aa = pairedFinding(spec("calibration.aa.nats"), [1.2, 1.21, 1.19, 1.2], [1, 1.01, 0.99, 1]);
    expect(aa.verdict).to.equal("higher");
    const [comparison, calibration] = withCalibration([decidedComparison, aa]);
    expect(comparison!.withheld).to.match(/calibration\.aa\.nats.*too narrow/);
    expect(comparison!.text).to.match(/^withheld: .*; as measured: more: /);
    expect(comparison!.estimate).to.equal(decidedComparison.estimate);
    expect(calibration).to.deep.equal(aa);
  });
});
