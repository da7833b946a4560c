import type { JetStreamClient, JsMsg } from "nats";
import type { Invoicing } from "../billing/invoicing.js";
import type { Notifying } from "../notification/notifying.js";
import { decodePayload } from "./codec.js";
import { PAYLOADS } from "./payloads.js";
import { PoisonMessageError } from "./poison.js";
import { publishMessage } from "./publisher.js";
import { SUBJECTS } from "./topology.js";

/** billing.invoice.requested: make the invoice, then tell the order service. */
export function invoiceHandler(js: JetStreamClient, invoicing: Invoicing) {
  return async (msg: JsMsg): Promise<void> => {
    const { order } = decodePayload(PAYLOADS.invoiceRequest, msg.data, msg.headers);
    if (!order) throw new PoisonMessageError("invoice request without an order");
    const result = await invoicing.createInvoice(order);
    await publishMessage(js, SUBJECTS.invoiceCreated, PAYLOADS.invoiceCreated, result, `invoice-created:${order.orderId}`);
  };
}

/** notification.email.requested: send the e-mail, then tell the order service. */
export function emailHandler(js: JetStreamClient, notifying: Notifying) {
  return async (msg: JsMsg): Promise<void> => {
    const request = decodePayload(PAYLOADS.emailRequest, msg.data, msg.headers);
    if (!request.order) throw new PoisonMessageError("e-mail request without an order");
    const result = await notifying.sendOrderConfirmation({ order: request.order, invoiceNumber: request.invoiceNumber, totalMinor: request.totalMinor });
    await publishMessage(js, SUBJECTS.emailSent, PAYLOADS.emailSent, result, `email-sent:${result.orderId}`);
  };
}

/** After a work message was dead-lettered: the order service marks the order FAILED with the reason. */
export function reportFailedStep(js: JetStreamClient, step: "billing" | "notification") {
  return async (msg: JsMsg, reason: string): Promise<void> => {
    let orderId: string | undefined;
    try {
      const type = step === "billing" ? PAYLOADS.invoiceRequest : PAYLOADS.emailRequest;
      orderId = decodePayload(type, msg.data, msg.headers).order?.orderId;
    } catch {
      return; // Undecodable: no order to report on; the dead letter is the record.
    }
    if (!orderId) return;
    await publishMessage(js, SUBJECTS.workFailed, PAYLOADS.workFailed, { orderId, step, reason }, `failed:${step}:${orderId}:${msg.info.streamSequence}`);
  };
}
