import { NotFoundError } from "../../services/domain/errors.js";
import { OrderStatus, type OrderView } from "../../services/gen/shop/v1/order.js";
import type { OrderWorkflowClient } from "../../services/workflow.js";
import { eventually } from "./eventually.js";
import { sampleOrder } from "./orders.js";

/** Places one sample order with `client` and waits until it completes: the system works end to end. */
export async function completesOne(client: OrderWorkflowClient): Promise<void> {
  const order = sampleOrder();
  await client.placeOrder(order);
  await orderReaches(client, order.orderId);
}

/**
 * Waits until the order reads `status` (default: COMPLETED), and returns its view.
 * A read that fails meanwhile (not found yet, a broker between leaders) is polled again.
 */
export function orderReaches(
  client: Pick<OrderWorkflowClient, "getOrder">,
  orderId: string,
  status: OrderStatus = OrderStatus.ORDER_STATUS_COMPLETED,
  timeoutMs?: number,
): Promise<OrderView> {
  return eventually(
    `order ${orderId} to be ${OrderStatus[status]}`,
    async () => {
      const view = await client.getOrder(orderId).catch((err: unknown) => {
        if (err instanceof NotFoundError) return undefined;
        throw err;
      });
      return view?.status === status ? view : undefined;
    },
    timeoutMs,
  );
}
