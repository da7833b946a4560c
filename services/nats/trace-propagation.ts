import type { MsgHdrs } from "nats";
import { ORDER_ID_ATTRIBUTE, type Carrier, type SpanAttributes } from "../common/tracing.js";

/** NATS message headers as the carrier of W3C trace context (traceparent, tracestate). */
export function headersCarrier(headers: MsgHdrs | undefined): Carrier {
  return {
    get: (key) => (headers?.has(key) ? headers.get(key) : undefined),
    set: (key, value) => headers?.set(key, value),
  };
}

/**
 * A message span's name and attributes, as OpenTelemetry's messaging
 * conventions name them: "send orders.placed", "process billing.invoice.requested".
 */
export function messagingSpan(
  operation: "send" | "process",
  subject: string,
  orderId: string | undefined,
  extra: SpanAttributes = {},
): { name: string; attributes: SpanAttributes } {
  const attributes: SpanAttributes = {
    "messaging.system": "nats",
    "messaging.destination.name": subject,
    "messaging.operation.type": operation,
    "messaging.operation.name": operation === "send" ? "publish" : "process",
    ...extra,
  };
  if (orderId) attributes[ORDER_ID_ATTRIBUTE] = orderId;
  return { name: `${operation} ${subject}`, attributes };
}
