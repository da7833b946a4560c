import { OrderStatus } from "../../services/gen/shop/v1/order.js";
import { GrpcWorkflowClient } from "../../services/grpc/workflow-client.js";
import { NatsWorkflowClient } from "../../services/nats/workflow-client.js";
import type { LoadTarget } from "./load-generator.js";

export type ClosableTarget = LoadTarget & { close(): Promise<void> };

/** gRPC: PlaceOrder answers when the order is complete, so accept and complete are one moment. */
export function grpcTarget(orderServiceAddr: string, deadlineMs = 10_000): ClosableTarget {
  const client = new GrpcWorkflowClient({ orderServiceAddr, deadlineMs });
  return {
    name: "grpc",
    answerMeansComplete: client.answerMeansComplete,
    async place(order) {
      await client.placeOrder(order);
    },
    close: () => client.close(),
  };
}

/** NATS: accepted when the stream has the order; complete when the order service announces it. */
export async function natsTarget(natsUrl: string): Promise<ClosableTarget> {
  const client = await NatsWorkflowClient.connect({ natsUrl, requestTimeoutMs: 10_000 });
  return {
    name: "nats",
    answerMeansComplete: client.answerMeansComplete,
    async place(order) {
      await client.placeOrder(order);
    },
    watch: (onSettled) => client.watchSettled((view) => onSettled(view.orderId, view.status === OrderStatus.ORDER_STATUS_COMPLETED)),
    async isCompleted(orderId) {
      return (await client.getOrder(orderId)).status === OrderStatus.ORDER_STATUS_COMPLETED;
    },
    close: () => client.close(),
  };
}
