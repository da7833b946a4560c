import { expect } from "chai";
import { formatMoney } from "../../services/domain/currency.js";
import { renderOrderEmail } from "../../services/domain/email-render.js";
import { renderInvoiceHtml } from "../../services/billing/invoice-html.js";
import { sampleOrder } from "../support/orders.js";

describe("money formatting", () => {
  it("places the decimal point by the currency's minor unit", () => {
    expect(formatMoney(2899n, "EUR")).to.equal("28.99 EUR");
    expect(formatMoney(5n, "USD")).to.equal("0.05 USD");
    expect(formatMoney(1500n, "JPY")).to.equal("1500 JPY");
    expect(formatMoney(-120n, "EUR")).to.equal("-1.20 EUR");
  });
});

describe("order e-mail rendering", () => {
  it("addresses the customer and lists lines, total and invoice number", () => {
    const order = sampleOrder();
    const mail = renderOrderEmail(order, "INV-2026-000007");
    expect(mail.to).to.equal(order.customer!.email);
    expect(mail.subject).to.equal(`Your order ${order.orderId} is confirmed`);
    expect(mail.text).to.include("Hello Ada Lovelace,");
    expect(mail.text).to.include("2 x Mug (MUG-1)  25.00 EUR");
    expect(mail.text).to.include("Total: 28.99 EUR");
    expect(mail.text).to.include("Invoice: INV-2026-000007");
  });

  it("escapes customer-controlled text in the HTML part", () => {
    const order = sampleOrder({ customer: { id: "c", name: "<script>x</script>", email: "a@example.com" } });
    const mail = renderOrderEmail(order, "INV-2026-000001");
    expect(mail.html).to.include("&lt;script&gt;");
    expect(mail.html).not.to.include("<script>");
  });

  it("renders the same e-mail for the same order, so a retry sends identical content", () => {
    const order = sampleOrder();
    expect(renderOrderEmail(order, "INV-1")).to.deep.equal(renderOrderEmail(order, "INV-1"));
  });
});

describe("invoice document", () => {
  it("is a standalone HTML page with the lines and the total", () => {
    const html = renderInvoiceHtml({
      invoiceNumber: "INV-2026-000001",
      orderId: "o-1",
      customerName: "Ada & Co",
      customerEmail: "ada@example.com",
      lines: [{ sku: "MUG-1", name: "Mug", quantity: 2, unitPriceMinor: 1250n, lineTotalMinor: 2500n }],
      totalMinor: 2500n,
      currency: "EUR",
      issuedAtMs: BigInt(Date.parse("2026-11-28T10:00:00Z")),
      documentPath: "",
    });
    expect(html).to.match(/^<!doctype html>/);
    expect(html).to.include("<title>Invoice INV-2026-000001</title>");
    expect(html).to.include("Ada &amp; Co");
    expect(html).to.include("25.00 EUR");
    expect(html).to.include("Issued 2026-11-28");
  });
});
