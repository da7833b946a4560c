import type { JetStreamClient, JsMsg, NatsConnection, Service } from "nats";
import type { Logger } from "../common/logger.js";
import { InvalidOrderError } from "../domain/errors.js";
import type { OrderProcessor } from "../domain/order-processor.js";
import { DEFERRED, type BillingPort, type ConfirmationRequest, type Deferred, type NotifierPort } from "../domain/ports.js";
import { OrderStatus, type Order, type OrderView } from "../gen/shop/v1/order.js";
import { decodePayload, encodePayload } from "./codec.js";
import { serviceError } from "./error-mapping.js";
import { PAYLOADS } from "./payloads.js";
import { PoisonMessageError } from "./poison.js";
import { publishMessage } from "./publisher.js";
import { SUBJECTS } from "./topology.js";

/** Billing as the order service reaches it over NATS: a work message; the invoice comes back as an event. */
export class NatsBillingPort implements BillingPort {
  constructor(private readonly js: JetStreamClient) {}
  async createInvoice(order: Order): Promise<Deferred> {
    await publishMessage(this.js, SUBJECTS.invoiceRequested, PAYLOADS.invoiceRequest, { order }, `invoice:${order.orderId}`);
    return DEFERRED;
  }
}

export class NatsNotifierPort implements NotifierPort {
  constructor(private readonly js: JetStreamClient) {}
  async sendOrderConfirmation(request: ConfirmationRequest): Promise<Deferred> {
    await publishMessage(this.js, SUBJECTS.emailRequested, PAYLOADS.emailRequest, request, `email:${request.order.orderId}`);
    return DEFERRED;
  }
}

const SETTLED = new Set([OrderStatus.ORDER_STATUS_COMPLETED, OrderStatus.ORDER_STATUS_REJECTED, OrderStatus.ORDER_STATUS_FAILED]);

/** Tells watchers (dashboards, the load generator) that an order reached its end state. */
export function announceSettled(nc: NatsConnection) {
  return (view: OrderView): void => {
    if (!SETTLED.has(view.status)) return;
    const { data, headers } = encodePayload(PAYLOADS.orderView, view);
    nc.publish(SUBJECTS.orderUpdates, data, { headers });
  };
}

/** orders.placed: the order's id is the publisher's, else its message id, else its stream position. */
export function intakeHandler(processor: OrderProcessor, announce: (view: OrderView) => void) {
  return async (msg: JsMsg): Promise<void> => {
    const order = decodePayload(PAYLOADS.order, msg.data, msg.headers);
    const orderId = order.orderId || msg.headers?.get("Nats-Msg-Id") || `seq-${msg.info.streamSequence}`;
    try {
      announce(await processor.place({ ...order, orderId }));
    } catch (err) {
      // A rejected order is an outcome (recorded REJECTED with the reason), not a failure to retry,
      // unless its id itself is unusable and nothing could be recorded.
      if (err instanceof InvalidOrderError && !err.violations.some((v) => v.field === "order_id")) {
        announce(processor.getOrder(orderId));
        return;
      }
      throw err;
    }
  };
}

/** events.>: results of billing and notification move the order on. */
export function eventsHandler(processor: OrderProcessor, announce: (view: OrderView) => void) {
  return async (msg: JsMsg): Promise<void> => {
    switch (msg.subject) {
      case SUBJECTS.invoiceCreated: {
        const { invoice } = decodePayload(PAYLOADS.invoiceCreated, msg.data, msg.headers);
        if (!invoice) throw new PoisonMessageError("invoice-created event without an invoice");
        announce(await processor.onInvoiceCreated(invoice.orderId, invoice.invoiceNumber));
        return;
      }
      case SUBJECTS.emailSent: {
        const sent = decodePayload(PAYLOADS.emailSent, msg.data, msg.headers);
        announce(await processor.onEmailSent(sent.orderId));
        return;
      }
      case SUBJECTS.workFailed: {
        const failed = decodePayload(PAYLOADS.workFailed, msg.data, msg.headers);
        processor.onStepFailed(failed.orderId, `${failed.step} failed: ${failed.reason}`);
        announce(processor.getOrder(failed.orderId));
        return;
      }
      default:
        throw new PoisonMessageError(`no handler for subject ${msg.subject}`);
    }
  };
}

/** orders.get as a NATS service endpoint, discoverable through $SRV (nats micro ls / info). */
export async function addOrderQueryService(nc: NatsConnection, processor: OrderProcessor, log: Logger): Promise<Service> {
  const service = await nc.services.add({
    name: "order-service",
    version: "1.0.0",
    description: "Reads orders from the order service's database",
  });
  service.addEndpoint("get", {
    subject: SUBJECTS.orderGet,
    metadata: { request: "shop.v1.GetOrderRequest", response: "shop.v1.OrderView" },
    handler: (err, msg) => {
      if (err) {
        log.error("orders.get endpoint failed", { err });
        return;
      }
      try {
        const { orderId } = decodePayload(PAYLOADS.getOrderRequest, msg.data, msg.headers);
        if (orderId === "") throw new InvalidOrderError([{ field: "order_id", rule: "must not be empty" }]);
        const { data, headers } = encodePayload(PAYLOADS.orderView, processor.getOrder(orderId));
        msg.respond(data, { headers });
      } catch (e) {
        const { code, description } = serviceError(e);
        if (code === 500) log.error("orders.get failed", { err: e instanceof Error ? (e.stack ?? e.message) : String(e) });
        msg.respondError(code, description);
      }
    },
  });
  return service;
}
