import { randomUUID } from "node:crypto";
import { ErrorCode, ServiceErrorCodeHeader, ServiceErrorHeader, type NatsConnection, type NatsError } from "nats";
import { DependencyUnavailableError } from "../domain/errors.js";
import { OrderStatus, type Order, type OrderView } from "../gen/shop/v1/order.js";
import type { OrderWorkflowClient, Placement } from "../workflow.js";
import { decodePayload, encodePayload } from "./codec.js";
import { fromServiceError } from "./error-mapping.js";
import { PAYLOADS } from "./payloads.js";
import { publishMessage } from "./publisher.js";
import { SUBJECTS } from "./topology.js";
import { connectNats } from "./connection.js";
import { createLogger } from "../common/logger.js";

export interface NatsWorkflowOptions {
  natsUrl: string;
  requestTimeoutMs?: number;
}

/**
 * The common interface over NATS: placeOrder resolves once the ORDERS stream
 * holds the order (ACCEPTED); the outcome is read later through orders.get.
 */
export class NatsWorkflowClient implements OrderWorkflowClient {
  private constructor(
    readonly nc: NatsConnection,
    private readonly requestTimeoutMs: number,
  ) {}

  static async connect(options: NatsWorkflowOptions): Promise<NatsWorkflowClient> {
    const nc = await connectNats(options.natsUrl, "order-client", createLogger("nats-client", "warn"));
    return new NatsWorkflowClient(nc, options.requestTimeoutMs ?? 5_000);
  }

  async placeOrder(order: Order): Promise<Placement> {
    const withId = order.orderId === "" ? { ...order, orderId: randomUUID() } : order;
    await publishMessage(this.nc.jetstream(), SUBJECTS.orderPlaced, PAYLOADS.order, withId, withId.orderId);
    return { orderId: withId.orderId, status: OrderStatus.ORDER_STATUS_ACCEPTED };
  }

  async getOrder(orderId: string): Promise<OrderView> {
    const { data, headers } = encodePayload(PAYLOADS.getOrderRequest, { orderId });
    let reply;
    try {
      reply = await this.nc.request(SUBJECTS.orderGet, data, { headers, timeout: this.requestTimeoutMs });
    } catch (err) {
      const code = (err as NatsError).code;
      const why = code === ErrorCode.NoResponders ? "no order service is subscribed to orders.get" : (err as Error).message;
      throw new DependencyUnavailableError("order service", why);
    }
    const errorCode = reply.headers?.get(ServiceErrorCodeHeader);
    if (errorCode) throw fromServiceError(Number(errorCode), reply.headers?.get(ServiceErrorHeader) ?? "");
    return decodePayload(PAYLOADS.orderView, reply.data, reply.headers);
  }

  async close(): Promise<void> {
    await this.nc.drain();
  }
}
