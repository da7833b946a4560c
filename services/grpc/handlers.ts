import type { Invoicing } from "../billing/invoicing.js";
import { InvalidOrderError } from "../domain/errors.js";
import { requireOrderId } from "../domain/validation.js";
import { BillingServiceService, type BillingServiceServer } from "../gen/shop/v1/billing_service.js";
import { NotificationServiceService, type NotificationServiceServer } from "../gen/shop/v1/notification_service.js";
import type { Order } from "../gen/shop/v1/order.js";
import { OrderServiceService, type OrderServiceServer } from "../gen/shop/v1/order_service.js";
import type { Notifying } from "../notification/notifying.js";
import type { OrderProcessor } from "../order/order-processor.js";
import type { ServiceBinding } from "./server.js";
import { unary, type UnaryContext } from "./unary.js";

/**
 * Each service's handlers: the generated service implementations, wired to
 * the service's core through unary() (limit, deadline, error mapping).
 */

function requireOrder(order: Order | undefined): Order {
  if (!order) throw new InvalidOrderError([{ field: "order", rule: "is required" }]);
  return order;
}

export function orderHandlers(ctx: UnaryContext, processor: OrderProcessor): ServiceBinding {
  const implementation: OrderServiceServer = {
    placeOrder: unary(ctx, async (req, rc) => {
      const view = await processor.place(requireOrder(req.order), rc);
      return { orderId: view.orderId, status: view.status, order: view };
    }),
    getOrder: unary(ctx, (req) => processor.getOrder(req.orderId)),
  };
  return { name: "shop.v1.OrderService", definition: OrderServiceService, implementation };
}

export function billingHandlers(ctx: UnaryContext, invoicing: Invoicing): ServiceBinding {
  const implementation: BillingServiceServer = {
    createInvoice: unary(ctx, (req) => invoicing.createInvoice(requireOrder(req.order))),
    getInvoice: unary(ctx, (req) => ({ invoice: invoicing.getInvoice(requireOrderId(req.orderId)) })),
  };
  return { name: "shop.v1.BillingService", definition: BillingServiceService, implementation };
}

export function notificationHandlers(ctx: UnaryContext, notifying: Notifying): ServiceBinding {
  const implementation: NotificationServiceServer = {
    sendOrderConfirmation: unary(ctx, (req) =>
      notifying.sendOrderConfirmation({ order: requireOrder(req.order), invoiceNumber: req.invoiceNumber, totalMinor: req.totalMinor }),
    ),
  };
  return { name: "shop.v1.NotificationService", definition: NotificationServiceService, implementation };
}
