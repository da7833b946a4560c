import { randomUUID } from "node:crypto";
import { parseAddressList } from "../common/address-list.js";
import type { TlsConfig } from "../common/tls-config.js";
import { NO_TRACING, traceFromTraceparent, type Tracing } from "../common/tracing.js";
import type { Order, OrderView } from "../gen/shop/v1/order.js";
import { OrderServiceClient } from "../gen/shop/v1/order_service.js";
import type { OrderWorkflowClient, PlaceOptions, Placement } from "../workflow.js";
import { callUnary, createClient } from "./channel.js";
import { fromWireError } from "./error-mapping.js";

export interface GrpcWorkflowOptions {
  /** ORDER_SERVICE_ADDR syntax: host:port, or a comma-separated list of replicas. */
  orderServiceAddr: string;
  deadlineMs?: number;
  /** Client spans for the calls; without it, a traceparent given to placeOrder is passed on as it is. */
  tracing?: Tracing;
  /** Mutual TLS: the CA the order service's certificate must come from, and the client's own certificate and key (PEM). */
  tls?: Pick<TlsConfig, "ca" | "cert" | "key">;
}

/** The common interface over gRPC: PlaceOrder returns when the order is COMPLETED or has failed. */
export class GrpcWorkflowClient implements OrderWorkflowClient {
  readonly answerMeansComplete = true;
  readonly #client: OrderServiceClient;
  readonly #deadlineMs: number;
  readonly #tracing: Tracing;

  constructor(options: GrpcWorkflowOptions) {
    this.#client = createClient(OrderServiceClient, "shop.v1.OrderService", parseAddressList("ORDER_SERVICE_ADDR", options.orderServiceAddr), {
      tls: options.tls,
    });
    this.#deadlineMs = options.deadlineMs ?? 10_000;
    this.#tracing = options.tracing ?? NO_TRACING;
  }

  async placeOrder(order: Order, options: PlaceOptions = {}): Promise<Placement> {
    // The id is fixed before the first attempt, so transparent retries stay idempotent.
    const withId = order.orderId === "" ? { ...order, orderId: randomUUID() } : order;
    try {
      const res = await callUnary(
        this.#client.placeOrder.bind(this.#client),
        { order: withId },
        { deadline: Date.now() + this.#deadlineMs },
        {
          path: "shop.v1.OrderService/PlaceOrder",
          orderId: withId.orderId,
          tracing: this.#tracing,
          parent: traceFromTraceparent(options.traceparent, options.tracestate),
        },
      );
      return { orderId: res.orderId, status: res.status };
    } catch (err) {
      throw fromWireError(err, "order service");
    }
  }

  async getOrder(orderId: string): Promise<OrderView> {
    try {
      return await callUnary(
        this.#client.getOrder.bind(this.#client),
        { orderId },
        { deadline: Date.now() + this.#deadlineMs },
        {
          path: "shop.v1.OrderService/GetOrder",
          orderId,
          tracing: this.#tracing,
        },
      );
    } catch (err) {
      throw fromWireError(err, "order service");
    }
  }

  close(): Promise<void> {
    this.#client.close();
    return Promise.resolve();
  }
}
