import { randomUUID } from "node:crypto";
import type { Order } from "../../services/gen/shop/v1/order.js";

/** A valid order with a fresh id: 2 x 12.50 + 1 x 3.99 EUR = 28.99 EUR. */
export function sampleOrder(overrides: Partial<Order> = {}): Order {
  const id = randomUUID().slice(0, 8);
  return {
    orderId: `test-${randomUUID()}`,
    customer: { id: `c-${id}`, name: "Ada Lovelace", email: `ada+${id}@example.com` },
    items: [
      { sku: "MUG-1", name: "Mug", quantity: 2, unitPriceMinor: 1250n },
      { sku: "TEA-7", name: "Tea", quantity: 1, unitPriceMinor: 399n },
    ],
    currency: "EUR",
    ...overrides,
  };
}

export const SAMPLE_TOTAL_MINOR = 2899n;
