import { startStack } from "../testbed/stack/start-stack.js";
import { expect } from "chai";
import { connect } from "nats";
import type { ServiceName } from "../services/common/config.js";
import type { RunningService } from "../services/common/running-service.js";
import { GrpcWorkflowClient } from "../services/grpc/workflow-client.js";
import { NatsWorkflowClient } from "../services/nats/workflow-client.js";
import type { OrderWorkflowClient } from "../services/workflow.js";
import { sampleOrder } from "./support/orders.js";
import { metricValue, scrape, type Sample } from "./support/prometheus.js";
import { eventually } from "./support/eventually.js";
import { orderReaches } from "./support/order-status.js";

interface Scraped {
  client: OrderWorkflowClient;
  services: Record<ServiceName, RunningService>;
  close(): Promise<void>;
}

/** Three valid orders and one invalid one, then every service's /metrics. */
async function exercise(s: Scraped): Promise<Record<ServiceName, Sample[]>> {
  const orders = [sampleOrder(), sampleOrder(), sampleOrder()];
  for (const o of orders) await s.client.placeOrder(o);
  await s.client.placeOrder(sampleOrder({ items: [] })).catch(() => undefined);
  for (const o of orders) await orderReaches(s.client, o.orderId);
  const read = async (name: ServiceName) => scrape(s.services[name].metricsPort!);
  // The order service counts the invalid order when it has been rejected, which in NATS mode happens after the answer.
  const order = await eventually("the rejection to be counted", async () => {
    const samples = await read("order");
    return metricValue(samples, "shop_orders_total", { outcome: "rejected" }) === 1 ? samples : undefined;
  });
  return { order, billing: await read("billing"), notification: await read("notification") };
}

function expectCommon(m: Record<ServiceName, Sample[]>): void {
  expect(metricValue(m.order, "shop_orders_total", { outcome: "completed" })).to.equal(3);
  expect(metricValue(m.order, "shop_step_duration_seconds_count", { step: "place" })).to.equal(3);
  expect(metricValue(m.billing, "shop_step_duration_seconds_count", { step: "invoice" })).to.equal(3);
  expect(metricValue(m.notification, "shop_step_duration_seconds_count", { step: "email" })).to.equal(3);
  for (const name of ["order", "billing", "notification"] as const) {
    expect(metricValue(m[name], "process_cpu_user_seconds_total"), `${name} default process metrics`).to.be.greaterThan(0);
    expect(m[name].every((s) => s.labels.service === undefined || s.labels.service === name)).to.equal(true);
  }
}

describe("Prometheus metrics at METRICS_PORT", function () {
  this.timeout(60_000);

  it("gRPC: orders by outcome, step durations and grpc_server_handled_total move after orders", async () => {
    const stack = await startStack({ mode: "grpc", where: "in-process", env: { METRICS_PORT: "0" } });
    const client = new GrpcWorkflowClient({ orderServiceAddr: stack.services.order.addresses.listens! });
    try {
      const m = await exercise({ client, services: stack.services, close: () => stack.close() });
      expectCommon(m);
      const handled = (s: Sample[], service: string, method: string, code: string) =>
        metricValue(s, "grpc_server_handled_total", { grpc_service: service, grpc_method: method, grpc_code: code });
      expect(handled(m.order, "shop.v1.OrderService", "PlaceOrder", "OK")).to.equal(3);
      expect(handled(m.order, "shop.v1.OrderService", "PlaceOrder", "INVALID_ARGUMENT")).to.equal(1);
      expect(handled(m.billing, "shop.v1.BillingService", "CreateInvoice", "OK")).to.equal(3);
      expect(handled(m.notification, "shop.v1.NotificationService", "SendOrderConfirmation", "OK")).to.equal(3);
      expect(metricValue(m.order, "grpc_server_handling_seconds_count", { grpc_method: "PlaceOrder" })).to.equal(4);
    } finally {
      await client.close();
      await stack.close();
    }
  });

  it("NATS: orders by outcome, step durations, consumers in flight and dead letters move after orders", async () => {
    const stack = await startStack({ mode: "nats", where: "in-process", env: { METRICS_PORT: "0" } });
    const client = await NatsWorkflowClient.connect({ natsUrl: stack.server.url });
    const nc = await connect({ servers: stack.server.url });
    try {
      const services = Object.fromEntries(stack.services) as Record<ServiceName, RunningService>;
      const m = await exercise({ client, services, close: () => stack.close() });
      expectCommon(m);
      expect(metricValue(m.billing, "nats_consumer_in_flight", { consumer: "billing-invoicer" })).to.equal(0);
      expect(metricValue(m.order, "nats_consumer_in_flight", { consumer: "order-intake" })).to.equal(0);
      // Bytes no handler can read go to the dead letters at once, and are counted by subject.
      await nc.jetstream().publish("billing.invoice.requested", Uint8Array.of(0xff, 0xff, 0xff));
      await eventually("the dead letter to be counted", async () =>
        metricValue(await scrape(services.billing.metricsPort!), "nats_dead_letters_total", { subject: "billing.invoice.requested" }) === 1 ? true : undefined,
      );
    } finally {
      await nc.close();
      await client.close();
      await stack.close();
    }
  });

  it("serves nothing when METRICS_PORT is unset", async () => {
    const stack = await startStack({ mode: "grpc", where: "in-process" });
    try {
      expect(stack.services.order.metricsPort).to.equal(undefined);
    } finally {
      await stack.close();
    }
  });
});
