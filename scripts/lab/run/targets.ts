import { NO_TRACING, type Tracing } from "../../../services/common/tracing.js";
import { OrderStatus } from "../../../services/gen/shop/v1/order.js";
import { GrpcWorkflowClient, type GrpcWorkflowOptions } from "../../../services/grpc/workflow-client.js";
import { NatsWorkflowClient, type NatsWorkflowOptions } from "../../../services/nats/workflow-client.js";
import { credentialsOf, pemOf } from "../../lib/secure-nats.js";
import type { LabStack } from "./lab-stack.js";
import type { LoadTarget } from "./load-generator.js";
import type { OrderTraces } from "./order-traces.js";

export type ClosableTarget = LoadTarget & { close(): Promise<void> };

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
    close: () => client.close(),
  };
}

/** NATS: accepted when the stream has the order; complete when the order service announces it. */
export async function natsTarget(natsUrl: string, traced?: TargetTracing, credentials?: NatsWorkflowOptions["credentials"]): Promise<ClosableTarget> {
  const client = await NatsWorkflowClient.connect({ natsUrl, requestTimeoutMs: 10_000, tracing: traced?.tracing ?? NO_TRACING, credentials });
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
    close: () => client.close(),
  };
}

/** The client of a lab stack's mode, as the customer reaches it: the order service's address, or the broker's; in the secure profile as `client`. */
export async function stackTarget(stack: LabStack, options: { deadlineMs?: number; traced?: TargetTracing } = {}): Promise<ClosableTarget> {
  const certs = stack.options.secure;
  return stack.options.mode === "grpc"
    ? grpcTarget(stack.orderAddress, options.deadlineMs, options.traced, certs && pemOf(certs, "client"))
    : natsTarget(stack.natsUrl, options.traced, certs && stack.natsFiles && credentialsOf(stack.natsFiles, certs, "client"));
}
