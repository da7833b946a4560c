import { expect } from "chai";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SqliteInvoiceStore } from "../../services/billing/invoice-store.js";

const invoice = (orderId: string) => ({
  orderId,
  customerName: "Ada",
  customerEmail: "ada@example.com",
  lines: [{ sku: "SKU-1", name: "Pen", quantity: 2, unitPriceMinor: 150n, lineTotalMinor: 300n }],
  totalMinor: 300n,
  currency: "EUR",
  issuedAtMs: BigInt(Date.parse("2026-11-29T10:00:00Z")),
});

describe("SqliteInvoiceStore (one invoice per order, numbered from the row's sequence)", () => {
  let dir: string;
  let stores: SqliteInvoiceStore[];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "gvn-invoices-"));
    // Two stores on one file: billing replicas share their database.
    stores = [0, 1].map(() => new SqliteInvoiceStore(join(dir, "billing.db"), (n) => join(dir, `${n}.html`)));
  });
  afterEach(() => {
    for (const s of stores) s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("numbers invoices in sequence across the processes sharing the database", () => {
    const numbers = ["o-1", "o-2", "o-3", "o-4"].map((id, i) => stores[i % 2]!.insert(invoice(id)).invoice.invoiceNumber);
    expect(numbers).to.deep.equal(["INV-2026-000001", "INV-2026-000002", "INV-2026-000003", "INV-2026-000004"]);
  });

  it("returns the stored invoice, not a new one, for an order that has one, and uses no number for it", () => {
    const first = stores[0]!.insert(invoice("o-1"));
    const again = stores[1]!.insert({ ...invoice("o-1"), issuedAtMs: 1n });
    expect(first.created).to.equal(true);
    expect(again.created).to.equal(false);
    expect(again.invoice).to.deep.include({ invoiceNumber: "INV-2026-000001", orderId: "o-1", totalMinor: 300n });
    expect(stores[0]!.insert(invoice("o-2")).invoice.invoiceNumber).to.equal("INV-2026-000002");
    expect(stores[0]!.findByOrderId("o-1")!.lines).to.have.length(1);
  });
});
