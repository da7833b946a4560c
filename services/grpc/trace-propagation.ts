import type { Metadata } from "@grpc/grpc-js";
import { ORDER_ID_ATTRIBUTE, type Carrier, type SpanAttributes } from "../common/tracing.js";

/** The metadata key that names the order a call concerns, for logs and spans. */
export const ORDER_ID_METADATA = "x-order-id";

/** gRPC metadata as the carrier of W3C trace context (traceparent, tracestate). */
export function metadataCarrier(metadata: Metadata): Carrier {
  return {
    get(key) {
      const value = metadata.get(key)[0];
      return typeof value === "string" ? value : undefined;
    },
    set: (key, value) => metadata.set(key, value),
  };
}

/** "/shop.v1.OrderService/PlaceOrder" (or without the leading slash) as service and method. */
export function serviceAndMethod(path: string): [string, string] {
  const at = path.lastIndexOf("/");
  return [path.slice(path.startsWith("/") ? 1 : 0, at), path.slice(at + 1)];
}

/** A call's span name and attributes, as OpenTelemetry's RPC conventions name them. */
export function rpcSpan(path: string, orderId: string | undefined): { name: string; attributes: SpanAttributes } {
  const [service, method] = serviceAndMethod(path);
  const attributes: SpanAttributes = { "rpc.system": "grpc", "rpc.service": service, "rpc.method": method };
  if (orderId) attributes[ORDER_ID_ATTRIBUTE] = orderId;
  return { name: `${service}/${method}`, attributes };
}
