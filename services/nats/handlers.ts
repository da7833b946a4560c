import type { JetStreamClient, JsMsg, NatsConnection, ServiceMsg } from "nats";
import type { Invoicing } from "../billing/invoicing.js";
import type { Logger } from "../common/logger.js";
import { InvalidOrderError, MalformedRequestError } from "../domain/errors.js";
import type { RequestContext } from "../domain/ports.js";
import { OrderStatus, type OrderView } from "../gen/shop/v1/order.js";
import type { Notifying } from "../notification/notifying.js";
import type { OrderProcessor } from "../order/order-processor.js";
import { decodePayload, encodePayload } from "./codec.js";
import { toWireError } from "./error-mapping.js";
import { PAYLOADS } from "./payloads.js";
import { publishMessage, type Outbound } from "./publisher.js";
import { SUBJECTS } from "./topology.js";

/**
 * Each service's handlers: what the gRPC adapter's service implementations
 * are, as JetStream message handlers (resolving acks, throwing is mapped by
 * error-mapping.ts) and the orders.get endpoint.
 */

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
  return async (msg: JsMsg, rc: RequestContext): Promise<void> => {
    const order = decodePayload(PAYLOADS.order, msg.data, msg.headers);
    const orderId = order.orderId || msg.headers?.get("Nats-Msg-Id") || `seq-${msg.info.streamSequence}`;
    try {
      announce(await processor.place({ ...order, orderId }, rc));
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
  return async (msg: JsMsg, rc: RequestContext): Promise<void> => {
    switch (msg.subject) {
      case SUBJECTS.invoiceCreated: {
        const { invoice } = decodePayload(PAYLOADS.invoiceCreated, msg.data, msg.headers);
        if (!invoice) throw new MalformedRequestError("invoice-created event without an invoice");
        announce(await processor.onInvoiceCreated(invoice.orderId, invoice.invoiceNumber, rc));
        return;
      }
      case SUBJECTS.emailSent: {
        const sent = decodePayload(PAYLOADS.emailSent, msg.data, msg.headers);
        announce(await processor.onEmailSent(sent.orderId, rc));
        return;
      }
      case SUBJECTS.workFailed: {
        const failed = decodePayload(PAYLOADS.workFailed, msg.data, msg.headers);
        processor.onStepFailed(failed.orderId, `${failed.step} failed: ${failed.reason}`);
        announce(processor.getOrder(failed.orderId));
        return;
      }
      default:
        throw new MalformedRequestError(`no handler for subject ${msg.subject}`);
    }
  };
}

/** orders.get: a GetOrderRequest answered with the OrderView, or a service error from error-mapping.ts. */
export function orderQueryHandler(processor: OrderProcessor, log: Logger) {
  return (msg: ServiceMsg): void => {
    try {
      const { orderId } = decodePayload(PAYLOADS.getOrderRequest, msg.data, msg.headers);
      const { data, headers } = encodePayload(PAYLOADS.orderView, processor.getOrder(orderId));
      msg.respond(data, { headers });
    } catch (err) {
      const wire = toWireError(err, log);
      msg.respondError(wire.code, wire.description, wire.body);
    }
  };
}

/** billing.invoice.requested: make the invoice, then tell the order service. */
export function invoiceHandler(js: JetStreamClient, invoicing: Invoicing, out: Outbound) {
  return async (msg: JsMsg, rc: RequestContext): Promise<void> => {
    const { order } = decodePayload(PAYLOADS.invoiceRequest, msg.data, msg.headers);
    if (!order) throw new MalformedRequestError("invoice request without an order");
    const result = await invoicing.createInvoice(order);
    await publishMessage(
      js,
      SUBJECTS.invoiceCreated,
      PAYLOADS.invoiceCreated,
      result,
      { orderId: order.orderId, msgId: `invoice-created:${order.orderId}` },
      { ...out, parent: rc.trace },
    );
  };
}

/** notification.email.requested: send the e-mail, then tell the order service. */
export function emailHandler(js: JetStreamClient, notifying: Notifying, out: Outbound) {
  return async (msg: JsMsg, rc: RequestContext): Promise<void> => {
    const request = decodePayload(PAYLOADS.emailRequest, msg.data, msg.headers);
    if (!request.order) throw new MalformedRequestError("e-mail request without an order");
    const result = await notifying.sendOrderConfirmation({ order: request.order, invoiceNumber: request.invoiceNumber, totalMinor: request.totalMinor });
    await publishMessage(
      js,
      SUBJECTS.emailSent,
      PAYLOADS.emailSent,
      result,
      { orderId: result.orderId, msgId: `email-sent:${result.orderId}` },
      { ...out, parent: rc.trace },
    );
  };
}

/** After a work message was dead-lettered: the order service marks the order FAILED with the reason. */
export function reportFailedStep(js: JetStreamClient, step: "billing" | "notification", out: Outbound) {
  return async (msg: JsMsg, reason: string, rc: RequestContext): Promise<void> => {
    let orderId: string | undefined;
    try {
      const type = step === "billing" ? PAYLOADS.invoiceRequest : PAYLOADS.emailRequest;
      orderId = decodePayload(type, msg.data, msg.headers).order?.orderId;
    } catch {
      return; // Undecodable: no order to report on; the dead letter is the record.
    }
    if (!orderId) return;
    await publishMessage(
      js,
      SUBJECTS.workFailed,
      PAYLOADS.workFailed,
      { orderId, step, reason },
      { orderId, msgId: `failed:${step}:${orderId}:${msg.info.streamSequence}` },
      { ...out, parent: rc.trace },
    );
  };
}
