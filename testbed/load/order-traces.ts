import { randomBytes } from "node:crypto";

/**
 * The lab's client side of tracing: every order gets a W3C traceparent of its
 * own, as an upstream caller (a shop front end) would send it, and keeps it
 * for every attempt. A re-sent order therefore stays one trace, and the lab
 * knows each order's trace id without searching spans.
 */
export class OrderTraces {
  readonly #byOrder = new Map<string, string>();

  traceparentFor(orderId: string): string {
    let header = this.#byOrder.get(orderId);
    if (!header) {
      header = `00-${randomBytes(16).toString("hex")}-${randomBytes(8).toString("hex")}-01`;
      this.#byOrder.set(orderId, header);
    }
    return header;
  }

  traceIdOf(orderId: string): string | undefined {
    return this.#byOrder.get(orderId)?.split("-")[1];
  }
}
