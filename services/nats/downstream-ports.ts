import type { JetStreamClient } from "nats";
import { DEFERRED, type BillingPort, type ConfirmationRequest, type Deferred, type NotifierPort, type RequestContext } from "../domain/ports.js";
import type { Order } from "../gen/shop/v1/order.js";
import { DEFAULT_OUTBOUND, publishMessage, type Outbound } from "./publisher.js";
import { ROUTES } from "./routes.js";

/** Billing as the order service reaches it over NATS: a work message; the invoice comes back as an event. */
export class NatsBillingPort implements BillingPort {
  constructor(
    private readonly js: JetStreamClient,
    private readonly out: Outbound = DEFAULT_OUTBOUND,
  ) {}

  async createInvoice(order: Order, ctx?: RequestContext): Promise<Deferred> {
    await publishMessage(
      this.js,
      ROUTES.invoiceRequested,
      { order },
      { orderId: order.orderId, msgId: `invoice:${order.orderId}` },
      { ...this.out, parent: ctx?.trace },
    );
    return DEFERRED;
  }
}

/** Notification as the order service reaches it over NATS: a work message; the e-mail's result comes back as an event. */
export class NatsNotifierPort implements NotifierPort {
  constructor(
    private readonly js: JetStreamClient,
    private readonly out: Outbound = DEFAULT_OUTBOUND,
  ) {}

  async sendOrderConfirmation(request: ConfirmationRequest, ctx?: RequestContext): Promise<Deferred> {
    await publishMessage(
      this.js,
      ROUTES.emailRequested,
      request,
      { orderId: request.order.orderId, msgId: `email:${request.order.orderId}` },
      { ...this.out, parent: ctx?.trace },
    );
    return DEFERRED;
  }
}
