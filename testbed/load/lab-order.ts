import type { Order } from "../../services/gen/shop/v1/order.js";

/** The order every lab run sends: the same size in both modes and in the raw chains. */
export function labOrder(runId: string, index: number): Order {
  return {
    orderId: `${runId}-${index}`,
    customer: { id: `c-${index % 1000}`, name: "Lab Customer", email: `customer${index % 1000}@example.com` },
    items: [
      { sku: "MUG-1", name: "Mug", quantity: 2, unitPriceMinor: 1250n },
      { sku: "TEA-7", name: "Green tea", quantity: 1, unitPriceMinor: 399n },
    ],
    currency: "EUR",
  };
}

/** The order a lab run sent under `orderId` (ids are `<runId>-<index>`), to send it again. */
export function labOrderById(runId: string, orderId: string): Order {
  return labOrder(runId, Number(orderId.slice(runId.length + 1)));
}
