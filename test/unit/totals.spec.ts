import { expect } from "chai";
import { computeTotals } from "../../services/domain/totals.js";

describe("computeTotals", () => {
  it("multiplies quantity by unit price per line and sums the lines exactly", () => {
    const { lines, totalMinor } = computeTotals([
      { sku: "A", name: "A", quantity: 3, unitPriceMinor: 333n },
      { sku: "B", name: "B", quantity: 1, unitPriceMinor: 1n },
    ]);
    expect(lines.map((l) => l.lineTotalMinor)).to.deep.equal([999n, 1n]);
    expect(totalMinor).to.equal(1000n);
  });

  it("stays exact beyond the range of floating point cents", () => {
    const { totalMinor } = computeTotals([{ sku: "A", name: "A", quantity: 7, unitPriceMinor: 1_000_000_000_000_001n }]);
    expect(totalMinor).to.equal(7_000_000_000_000_007n);
  });

  it("gives 0 for free items", () => {
    expect(computeTotals([{ sku: "A", name: "A", quantity: 5, unitPriceMinor: 0n }]).totalMinor).to.equal(0n);
  });
});
