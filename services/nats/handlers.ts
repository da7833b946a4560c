import type { JetStreamClient, JsMsg, NatsConnection, ServiceMsg } from "nats";
import type { Invoicing } from "../billing/invoicing.js";
import type { Logger } from "../common/logger.js";
import { InvalidOrderError, MalformedRequestError } from "../domain/errors.js";
import type { RequestContext } from "../domain/ports.js";
import { OrderStatus, type OrderView } from "../gen/shop/v1/order.js";
import type { Notifying } from "../notification/notifying.js";
import type { OrderProcessor } from "../order/order-processor.js";
import { MSG_ID_HEADER, decodePayload, encodePayload } from "./codec.js";
import { toWireError } from "./error-mapping.js";
import { publishMessage, type Outbound } from "./publisher.js";
import { ROUTES } from "./routes.js";
import type { ConsumerDeclaration } from "./topology.js";

/**
 * Each service's handlers, grouped per service as the gRPC adapter's service
 * implementations are: JetStream message handlers for its durable consumers
 * (resolving acks the message; a throw is mapped by error-mapping.ts), and,
 * for the order service, the orders.get endpoint.
 */

type Handle = (msg: JsMsg, rc: RequestContext) => Promise<void>;

/** One durable consumer of a service: what it takes, and what to do after a message of it was dead-lettered. */
export interface ConsumerBinding {
  consumer: ConsumerDeclaration;
  handle: Handle;
  onDeadLetter?: (msg: JsMsg, reason: string, rc: RequestContext) => Promise<void>;
}

/** A request/reply endpoint of a NATS service, discoverable through $SRV (nats micro ls / info). */
export interface EndpointBinding {
  service: { name: string; version: string; description: string };
  name: string;
  subject: string;
  metadata: Record<string, string>;
  handle: (msg: ServiceMsg) => void;
}

export interface ServiceBindings {
  consumers: ConsumerBinding[];
  endpoints: EndpointBinding[];
}

const SETTLED = new Set([OrderStatus.ORDER_STATUS_COMPLETED, OrderStatus.ORDER_STATUS_REJECTED, OrderStatus.ORDER_STATUS_FAILED]);

/** Tells watchers (dashboards, the load generator) that an order reached its end state. */
function announceSettled(nc: NatsConnection) {
  return (view: OrderView): void => {
    if (!SETTLED.has(view.status)) return;
    const { data, headers } = encodePayload(ROUTES.orderUpdates.payload, view);
    nc.publish(ROUTES.orderUpdates.subject, data, { headers });
  };
}

/** orders.placed: the order's id is the publisher's, else its message id, else its stream position. */
function intake(processor: OrderProcessor, announce: (view: OrderView) => void): Handle {
  return async (msg, rc) => {
    const order = decodePayload(ROUTES.orderPlaced.payload, msg.data, msg.headers);
    const orderId = order.orderId || msg.headers?.get(MSG_ID_HEADER) || `seq-${msg.info.streamSequence}`;
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
function events(processor: OrderProcessor, announce: (view: OrderView) => void): Handle {
  return async (msg, rc) => {
    switch (msg.subject) {
      case ROUTES.invoiceCreated.subject: {
        const { invoice } = decodePayload(ROUTES.invoiceCreated.payload, msg.data, msg.headers);
        if (!invoice) throw new MalformedRequestError("invoice-created event without an invoice");
        announce(await processor.onInvoiceCreated(invoice.orderId, invoice.invoiceNumber, rc));
        return;
      }
      case ROUTES.emailSent.subject: {
        const sent = decodePayload(ROUTES.emailSent.payload, msg.data, msg.headers);
        announce(await processor.onEmailSent(sent.orderId, rc));
        return;
      }
      case ROUTES.workFailed.subject: {
        const failed = decodePayload(ROUTES.workFailed.payload, msg.data, msg.headers);
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
function orderQuery(processor: OrderProcessor, log: Logger) {
  return (msg: ServiceMsg): void => {
    try {
      const { orderId } = decodePayload(ROUTES.orderGet.payload, msg.data, msg.headers);
      const { data, headers } = encodePayload(ROUTES.orderGet.reply, processor.getOrder(orderId));
      msg.respond(data, { headers });
    } catch (err) {
      const wire = toWireError(err, log);
      msg.respondError(wire.code, wire.description, wire.body);
    }
  };
}

/** After a work message was dead-lettered: the order service is told, and marks the order FAILED with the reason. */
function reportFailedStep(js: JetStreamClient, step: "billing" | "notification", out: Outbound) {
  return async (msg: JsMsg, reason: string, rc: RequestContext): Promise<void> => {
    let orderId: string | undefined;
    try {
      const route = step === "billing" ? ROUTES.invoiceRequested : ROUTES.emailRequested;
      orderId = decodePayload(route.payload, msg.data, msg.headers).order?.orderId;
    } catch {
      return; // Undecodable: no order to report on; the dead letter is the record.
    }
    if (!orderId) return;
    await publishMessage(
      js,
      ROUTES.workFailed,
      { orderId, step, reason },
      { orderId, msgId: `failed:${step}:${orderId}:${msg.info.streamSequence}` },
      { ...out, parent: rc.trace },
    );
  };
}

export function orderHandlers(nc: NatsConnection, processor: OrderProcessor, log: Logger): ServiceBindings {
  const announce = announceSettled(nc);
  return {
    consumers: [
      { consumer: ROUTES.orderPlaced.consumer, handle: intake(processor, announce) },
      { consumer: ROUTES.invoiceCreated.consumer, handle: events(processor, announce) },
    ],
    endpoints: [
      {
        service: { name: "order-service", version: "1.0.0", description: "Reads orders from the order service's database" },
        name: "get",
        subject: ROUTES.orderGet.subject,
        metadata: { request: ROUTES.orderGet.payload.typeName, response: ROUTES.orderGet.reply.typeName },
        handle: orderQuery(processor, log),
      },
    ],
  };
}

/** billing.invoice.requested: make the invoice, then tell the order service. */
export function billingHandlers(js: JetStreamClient, invoicing: Invoicing, out: Outbound): ServiceBindings {
  const handle: Handle = async (msg, rc) => {
    const { order } = decodePayload(ROUTES.invoiceRequested.payload, msg.data, msg.headers);
    if (!order) throw new MalformedRequestError("invoice request without an order");
    const result = await invoicing.createInvoice(order);
    await publishMessage(
      js,
      ROUTES.invoiceCreated,
      result,
      { orderId: order.orderId, msgId: `invoice-created:${order.orderId}` },
      { ...out, parent: rc.trace },
    );
  };
  return { consumers: [{ consumer: ROUTES.invoiceRequested.consumer, handle, onDeadLetter: reportFailedStep(js, "billing", out) }], endpoints: [] };
}

/** notification.email.requested: send the e-mail, then tell the order service. */
export function notificationHandlers(js: JetStreamClient, notifying: Notifying, out: Outbound): ServiceBindings {
  const handle: Handle = async (msg, rc) => {
    const request = decodePayload(ROUTES.emailRequested.payload, msg.data, msg.headers);
    if (!request.order) throw new MalformedRequestError("e-mail request without an order");
    const result = await notifying.sendOrderConfirmation({ order: request.order, invoiceNumber: request.invoiceNumber, totalMinor: request.totalMinor });
    await publishMessage(js, ROUTES.emailSent, result, { orderId: result.orderId, msgId: `email-sent:${result.orderId}` }, { ...out, parent: rc.trace });
  };
  return { consumers: [{ consumer: ROUTES.emailRequested.consumer, handle, onDeadLetter: reportFailedStep(js, "notification", out) }], endpoints: [] };
}
