import { expect } from "chai";
import { formatInvoiceNumber } from "../../services/domain/invoice-number.js";

describe("invoice numbering", () => {
  it("prefixes the UTC year and pads the sequence to six digits", () => {
    expect(formatInvoiceNumber(42, new Date("2026-12-31T23:30:00Z"))).to.equal("INV-2026-000042");
  });

  it("keeps growing past six digits", () => {
    expect(formatInvoiceNumber(1_234_567, new Date("2027-01-01T00:00:00Z"))).to.equal("INV-2027-1234567");
  });

  it("refuses sequences that are not positive integers", () => {
    for (const bad of [0, -1, 1.5, Number.NaN]) expect(() => formatInvoiceNumber(bad, new Date())).to.throw(RangeError);
  });
});
