import { NO_TRACING, type Tracing } from "../../services/common/tracing.js";
import { NotFoundError } from "../../services/domain/errors.js";
import { OrderStatus } from "../../services/gen/shop/v1/order.js";
import type { OrderWorkflowClient } from "../../services/workflow.js";
import { GrpcWorkflowClient, type GrpcWorkflowOptions } from "../../services/grpc/workflow-client.js";
import { NatsWorkflowClient, type NatsWorkflowOptions } from "../../services/nats/workflow-client.js";
import type { AnyProcessStack } from "../stack/start-stack.js";
import type { LoadTarget } from "./load-generator.js";
import type { OrderTraces } from "./order-traces.js";

export type ClosableTarget = LoadTarget & {
  /** Asks for an order that does not exist: "not found" means the system is reachable and lets this client in. */
  probe(): Promise<void>;
  close(): Promise<void>;
};

/** A client's first question to a deployment, so that a refused, unauthorised or unreachable one fails at once, saying why. */
async function probeWith(client: Pick<OrderWorkflowClient, "getOrder">, where: string): Promise<void> {
  try {
    await client.getOrder(`probe-${Date.now().toString(36)}`);
  } catch (err) {
    if (err instanceof NotFoundError) return;
    throw new Error(`${where} did not answer a read as it should: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}

/** A traced target: the client's own spans, and a trace per order that every attempt continues. */
export interface TargetTracing {
  tracing: Tracing;
  traces: OrderTraces;
}

const placeOptions = (traced: TargetTracing | undefined, orderId: string) => (traced ? { traceparent: traced.traces.traceparentFor(orderId) } : undefined);

/** gRPC: PlaceOrder answers when the order is complete, so accept and complete are one moment. */
export function grpcTarget(orderServiceAddr: string, deadlineMs = 10_000, traced?: TargetTracing, tls?: GrpcWorkflowOptions["tls"]): ClosableTarget {
  const client = new GrpcWorkflowClient({ orderServiceAddr, deadlineMs, tracing: traced?.tracing ?? NO_TRACING, tls });
  return {
    name: "grpc",
    answerMeansComplete: client.answerMeansComplete,
    async place(order) {
      await client.placeOrder(order, placeOptions(traced, order.orderId));
    },
    probe: () => probeWith(client, `the order service at ${orderServiceAddr}${tls ? " (mutual TLS)" : ""}`),
    close: () => client.close(),
  };
}

/** NATS: accepted when the stream has the order; complete when the order service announces it. */
export async function natsTarget(
  natsUrl: string,
  traced?: TargetTracing,
  credentials?: NatsWorkflowOptions["credentials"],
  firstConnectTimeoutMs?: number,
): Promise<ClosableTarget> {
  const client = await NatsWorkflowClient.connect({
    natsUrl,
    requestTimeoutMs: 10_000,
    tracing: traced?.tracing ?? NO_TRACING,
    credentials,
    firstConnectTimeoutMs,
  });
  return {
    name: "nats",
    answerMeansComplete: client.answerMeansComplete,
    async place(order) {
      await client.placeOrder(order, placeOptions(traced, order.orderId));
    },
    watch: (onSettled) => client.watchSettled((view) => onSettled(view.orderId, view.status === OrderStatus.ORDER_STATUS_COMPLETED)),
    async isCompleted(orderId) {
      return (await client.getOrder(orderId)).status === OrderStatus.ORDER_STATUS_COMPLETED;
    },
    probe: () => probeWith(client, `the order service's orders.get through ${natsUrl}`),
    close: () => client.close(),
  };
}

/** The client of a lab stack's mode, as the customer reaches it: the order service's address, or the broker's; in the secure profile as `client`. */
export async function stackTarget(stack: AnyProcessStack, options: { deadlineMs?: number; traced?: TargetTracing } = {}): Promise<ClosableTarget> {
  const client = stack.identity("client");
  return stack.mode === "grpc"
    ? grpcTarget(stack.entry, options.deadlineMs, options.traced, client?.pem())
    : natsTarget(stack.entry, options.traced, client?.nats());
}
