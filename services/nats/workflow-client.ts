import { randomUUID } from "node:crypto";
import { ErrorCode, ServiceErrorCodeHeader, ServiceErrorHeader, type NatsConnection, type NatsError } from "nats";
import { createLogger } from "../common/logger.js";
import { NO_TRACING, traceFromTraceparent, type Tracing } from "../common/tracing.js";
import { DependencyUnavailableError } from "../domain/errors.js";
import { OrderStatus, type Order, type OrderView } from "../gen/shop/v1/order.js";
import type { OrderWorkflowClient, PlaceOptions, Placement } from "../workflow.js";
import { decodePayload, encodePayload } from "./codec.js";
import { connectNats, type NatsCredentials } from "./connection.js";
import { fromWireError } from "./error-mapping.js";
import { ROUTES } from "./routes.js";
import { DEFAULT_PUBLISH_RETRY_MS, publishMessage } from "./publisher.js";

export interface NatsWorkflowOptions {
  natsUrl: string;
  requestTimeoutMs?: number;
  /** Producer spans for placements; without it, a traceparent given to placeOrder is passed on as it is. */
  tracing?: Tracing;
  /** How long placeOrder keeps publishing through a leader election or a reconnect (20 s). */
  publishRetryMs?: number;
  /** The secure profile: an NKey seed (identity "client" unless told), and TLS. */
  credentials?: Omit<NatsCredentials, "identity"> & { identity?: string };
  /** Fail when the first connection is not made in this time (a tool), instead of waiting for the broker (a service). */
  firstConnectTimeoutMs?: number;
}

/** Stops watching; resolves once the subscription is gone. */
export type StopWatching = () => Promise<void>;

/**
 * The common interface over NATS: placeOrder resolves once the ORDERS stream
 * holds the order (ACCEPTED); the outcome is read later through orders.get,
 * or watched as it happens through watchSettled.
 */
export class NatsWorkflowClient implements OrderWorkflowClient {
  readonly answerMeansComplete = false;
  readonly #nc: NatsConnection;
  readonly #requestTimeoutMs: number;
  readonly #tracing: Tracing;
  readonly #publishRetryMs: number;

  private constructor(nc: NatsConnection, options: NatsWorkflowOptions) {
    this.#nc = nc;
    this.#requestTimeoutMs = options.requestTimeoutMs ?? 5_000;
    this.#tracing = options.tracing ?? NO_TRACING;
    this.#publishRetryMs = options.publishRetryMs ?? DEFAULT_PUBLISH_RETRY_MS;
  }

  static async connect(options: NatsWorkflowOptions): Promise<NatsWorkflowClient> {
    const credentials = options.credentials && { ...options.credentials, identity: options.credentials.identity ?? "client" };
    const nc = await connectNats(options.natsUrl, "order-client", createLogger("nats-client", "warn"), credentials, options.firstConnectTimeoutMs);
    return new NatsWorkflowClient(nc, options);
  }

  async placeOrder(order: Order, options: PlaceOptions = {}): Promise<Placement> {
    const withId = order.orderId === "" ? { ...order, orderId: randomUUID() } : order;
    const published = await publishMessage(
      this.#nc.jetstream(),
      ROUTES.orderPlaced,
      withId,
      { orderId: withId.orderId, msgId: withId.orderId },
      { tracing: this.#tracing, retryMs: this.#publishRetryMs, parent: traceFromTraceparent(options.traceparent, options.tracestate) },
    );
    return { orderId: withId.orderId, status: OrderStatus.ORDER_STATUS_ACCEPTED, duplicate: published.duplicate };
  }

  async getOrder(orderId: string): Promise<OrderView> {
    const { data, headers } = encodePayload(ROUTES.orderGet.payload, { orderId });
    let reply;
    try {
      reply = await this.#nc.request(ROUTES.orderGet.subject, data, { headers, timeout: this.#requestTimeoutMs });
    } catch (err) {
      const code = (err as NatsError).code;
      const why = code === (ErrorCode.NoResponders as string) ? "no order service is subscribed to orders.get" : (err as Error).message;
      throw new DependencyUnavailableError("order service", why, { cause: err });
    }
    const errorCode = reply.headers?.get(ServiceErrorCodeHeader);
    if (errorCode)
      throw fromWireError({ code: Number(errorCode), description: reply.headers?.get(ServiceErrorHeader) ?? "", body: reply.data }, "order service", reply);
    return decodePayload(ROUTES.orderGet.reply, reply.data, reply.headers);
  }

  /**
   * Calls onSettled with every order that reaches its end state (COMPLETED,
   * REJECTED or FAILED) from now on, as the order service announces it on
   * orders.updates (best effort: a notice missed while disconnected is not
   * repeated; orders.get stays the record).
   */
  async watchSettled(onSettled: (view: OrderView) => void): Promise<StopWatching> {
    const sub = this.#nc.subscribe(ROUTES.orderUpdates.subject, {
      callback: (err, m) => {
        if (err) return;
        let view: OrderView;
        try {
          view = decodePayload(ROUTES.orderUpdates.payload, m.data, m.headers);
        } catch {
          return; // Not a notice this client can read (anyone may publish there); orders.get stays the record.
        }
        onSettled(view);
      },
    });
    // The subscription is known to the server once the flush returns: no notice after this is missed.
    await this.#nc.flush();
    return () => {
      sub.unsubscribe();
      return this.#nc.flush();
    };
  }

  async close(): Promise<void> {
    await this.#nc.drain();
  }
}
