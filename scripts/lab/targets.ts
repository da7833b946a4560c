import type { Subscription } from "nats";
import { OrderStatus } from "../../services/gen/shop/v1/order.js";
import { GrpcWorkflowClient } from "../../services/grpc/grpc-workflow-client.js";
import { decodePayload } from "../../services/nats/codec.js";
import { NatsWorkflowClient } from "../../services/nats/nats-workflow-client.js";
import { PAYLOADS } from "../../services/nats/payloads.js";
import { SUBJECTS } from "../../services/nats/topology.js";
import type { LoadTarget } from "./load-generator.js";

export type ClosableTarget = LoadTarget & { close(): Promise<void> };

/** gRPC: PlaceOrder answers when the order is complete, so accept and complete are one moment. */
export function grpcTarget(orderServiceAddr: string, deadlineMs = 10_000): ClosableTarget {
  const client = new GrpcWorkflowClient({ orderServiceAddr, deadlineMs });
  return {
    name: "grpc",
    completesOnAccept: true,
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
    completesOnAccept: false,
    async place(order) {
      await client.placeOrder(order);
    },
    async watch(onSettled) {
      const sub: Subscription = client.nc.subscribe(SUBJECTS.orderUpdates);
      void (async () => {
        for await (const m of sub) {
          const view = decodePayload(PAYLOADS.orderView, m.data, m.headers);
          onSettled(view.orderId, view.status === OrderStatus.ORDER_STATUS_COMPLETED);
        }
      })();
      await client.nc.flush();
      return async () => sub.unsubscribe();
    },
    async isCompleted(orderId) {
      return (await client.getOrder(orderId)).status === OrderStatus.ORDER_STATUS_COMPLETED;
    },
    close: () => client.close(),
  };
}
