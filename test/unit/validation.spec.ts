import { expect } from "chai";
import { InvalidOrderError } from "../../services/domain/errors.js";
import { MAX_AMOUNT_MINOR } from "../../services/domain/totals.js";
import { orderViolations, validateOrder } from "../../services/domain/validation.js";
import type { Order } from "../../services/gen/shop/v1/order.js";
import { sampleOrder } from "../support/orders.js";

function fields(order: Order): string[] {
  return orderViolations(order).map((v) => v.field);
}

describe("order validation", () => {
  it("accepts a well-formed order", () => {
    expect(orderViolations(sampleOrder())).to.deep.equal([]);
  });

  it("accepts non-ASCII names and internationalised e-mail addresses", () => {
    const order = sampleOrder({ customer: { id: "c", name: "Zoë Ñúñez 李", email: "зоя@пример.рф" } });
    expect(orderViolations(order)).to.deep.equal([]);
  });

  const cases: Array<[string, Partial<Order> | ((o: Order) => Order), string]> = [
    ["empty order id", { orderId: "" }, "order_id"],
    ["order id with a space", { orderId: "a b" }, "order_id"],
    ["order id of 65 characters", { orderId: "x".repeat(65) }, "order_id"],
    ["missing customer", { customer: undefined }, "customer"],
    ["blank customer name", (o) => ({ ...o, customer: { ...o.customer!, name: "  " } }), "customer.name"],
    ["customer name of 201 characters", (o) => ({ ...o, customer: { ...o.customer!, name: "é".repeat(201) } }), "customer.name"],
    ["e-mail without @", (o) => ({ ...o, customer: { ...o.customer!, email: "ada.example.com" } }), "customer.email"],
    ["e-mail without a dotted domain", (o) => ({ ...o, customer: { ...o.customer!, email: "ada@localhost" } }), "customer.email"],
    ["e-mail with a space", (o) => ({ ...o, customer: { ...o.customer!, email: "a da@example.com" } }), "customer.email"],
    ["no items", { items: [] }, "items"],
    ["101 items", (o) => ({ ...o, items: Array.from({ length: 101 }, () => o.items[0]!) }), "items"],
    ["empty sku", (o) => ({ ...o, items: [{ ...o.items[0]!, sku: "" }] }), "items[0].sku"],
    ["quantity 0", (o) => ({ ...o, items: [o.items[0]!, { ...o.items[1]!, quantity: 0 }] }), "items[1].quantity"],
    ["quantity above the limit", (o) => ({ ...o, items: [{ ...o.items[0]!, quantity: 10_001 }] }), "items[0].quantity"],
    ["negative price", (o) => ({ ...o, items: [{ ...o.items[0]!, unitPriceMinor: -5n }] }), "items[0].unit_price_minor"],
    ["int64 max price", (o) => ({ ...o, items: [{ ...o.items[0]!, quantity: 1, unitPriceMinor: 2n ** 63n - 1n }] }), "items[0].unit_price_minor"],
    [
      "lines summing past the maximum",
      (o) => ({ ...o, items: [0, 1].map(() => ({ ...o.items[0]!, quantity: 1, unitPriceMinor: MAX_AMOUNT_MINOR })) }),
      "items",
    ],
    ["empty currency", { currency: "" }, "currency"],
    ["lower-case currency", { currency: "eur" }, "currency"],
    ["unknown currency", { currency: "XXX" }, "currency"],
  ];
  for (const [what, change, field] of cases) {
    it(`names ${field} for ${what}`, () => {
      const base = sampleOrder();
      const order = typeof change === "function" ? change(base) : { ...base, ...change };
      expect(fields(order)).to.include(field);
    });
  }

  it("reports every violation at once, in field order", () => {
    const order = sampleOrder({ customer: undefined, items: [], currency: "" });
    expect(fields(order)).to.deep.equal(["customer", "items", "currency"]);
  });

  it("throws InvalidOrderError whose message lists field: rule pairs", () => {
    expect(() => validateOrder(sampleOrder({ currency: "XYZ" })))
      .to.throw(InvalidOrderError)
      .with.property("message", 'currency: unknown currency code "XYZ"');
  });
});
