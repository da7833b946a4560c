import type { Order, OrderStatus, OrderView } from "./gen/shop/v1/order.js";

/** What the client got back when it placed an order. */
export interface Placement {
  orderId: string;
  /** gRPC: COMPLETED (or an error is thrown). NATS: ACCEPTED, i.e. the stream holds the order. */
  status: OrderStatus;
  /**
   * NATS: true when the stream already held a message with this order id inside its duplicate
   * window, and kept the first (this placement changed nothing). Absent where the answer cannot say.
   */
  duplicate?: boolean;
}

/** How one placement travels. */
export interface PlaceOptions {
  /**
   * A W3C traceparent (and tracestate) the order's trace continues: every span
   * of the order, in every service, gets its trace id.
   */
  traceparent?: string;
  tracestate?: string;
}

/**
 * The order workflow as a customer-facing client sees it, the same in both
 * modes. Failures surface as the domain errors of domain/errors.ts, with the
 * transport's own error as their cause.
 */
export interface OrderWorkflowClient {
  /**
   * Whether placeOrder's answer means the order is complete (the synchronous
   * mode) rather than only accepted for processing (the asynchronous mode).
   */
  readonly answerMeansComplete: boolean;
  placeOrder(order: Order, options?: PlaceOptions): Promise<Placement>;
  getOrder(orderId: string): Promise<OrderView>;
  close(): Promise<void>;
}
