import { startStack } from "../testbed/stack/start-stack.js";
import { expect } from "chai";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect, type NatsConnection } from "nats";
import { createLogger } from "../services/common/logger.js";
import { ORDER_ID_ATTRIBUTE, startTracing } from "../services/common/tracing.js";
import { tracingSettings } from "../services/common/tracing-config.js";
import { DependencyUnavailableError } from "../services/domain/errors.js";
import { GrpcWorkflowClient } from "../services/grpc/workflow-client.js";
import { DEFAULT_RETRY_POLICY } from "../services/nats/retry-policy.js";
import { ROUTES } from "../services/nats/routes.js";
import { MalformedRequestError } from "../services/domain/errors.js";
import { publishMessage } from "../services/nats/publisher.js";
import { CONSUMERS, SUBJECTS, ensureConsumer, ensureStreams } from "../services/nats/topology.js";
import { NatsWorkflowClient } from "../services/nats/workflow-client.js";
import { startWorkConsumer } from "../services/nats/work-consumer.js";
import { OrderStatus } from "../services/gen/shop/v1/order.js";
import { startNatsServer } from "../testbed/nats-server.js";
import { SPAN_KIND, type ReceivedSpan } from "../testbed/otlp-decode.js";
import { startOtlpReceiver, type OtlpReceiver } from "../testbed/otlp-receiver.js";
import { eventually } from "./support/eventually.js";
import { sampleOrder } from "./support/orders.js";

/** A traceparent as any W3C client would send it: a fresh trace id, sampled. */
function traceparent(): { traceId: string; header: string } {
  const traceId = randomBytes(16).toString("hex");
  return { traceId, header: `00-${traceId}-${randomBytes(8).toString("hex")}-01` };
}

function otelEnv(receiver: OtlpReceiver, protocol: string): Record<string, string> {
  return { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: protocol };
}

/** Every span has a parent in the trace, except the one whose parent is the caller's. */
function expectOneTree(spans: readonly ReceivedSpan[], callerSpanId: string): void {
  const ids = new Set(spans.map((s) => s.spanId));
  const orphans = spans.filter((s) => !ids.has(s.parentSpanId));
  expect(orphans.map((s) => s.parentSpanId)).to.deep.equal([callerSpanId]);
}

describe("OpenTelemetry traces", function () {
  this.timeout(60_000);
  let receiver: OtlpReceiver;
  beforeEach(async () => (receiver = await startOtlpReceiver()));
  afterEach(() => receiver.close());

  it("gRPC (http/json): one order is one trace across the three services, under the trace id the client sent; spans leave on shutdown", async () => {
    // The default 5 s batch delay: the spans can only arrive in time through the flush of ordered shutdown.
    const stack = await startStack({ mode: "grpc", where: "in-process", env: otelEnv(receiver, "http/json") });
    const client = new GrpcWorkflowClient({ orderServiceAddr: stack.services.order.addresses.listens! });
    const { traceId, header } = traceparent();
    const order = sampleOrder();
    try {
      const placed = await client.placeOrder(order, { traceparent: header });
      expect(placed.status).to.equal(OrderStatus.ORDER_STATUS_COMPLETED);
    } finally {
      await client.close();
      await stack.close();
    }
    const spans = receiver.spans.filter((s) => s.traceId === traceId);
    expect(receiver.contentTypes.has("application/json")).to.equal(true);
    expect(new Set(spans.map((s) => s.service))).to.deep.equal(new Set(["order", "billing", "notification"]));
    const names = spans.map((s) => `${s.service} ${s.kind} ${s.name}`).sort();
    expect(names).to.deep.equal(
      [
        `order ${SPAN_KIND.server} shop.v1.OrderService/PlaceOrder`,
        `order ${SPAN_KIND.client} shop.v1.BillingService/CreateInvoice`,
        `order ${SPAN_KIND.client} shop.v1.NotificationService/SendOrderConfirmation`,
        `billing ${SPAN_KIND.server} shop.v1.BillingService/CreateInvoice`,
        `notification ${SPAN_KIND.server} shop.v1.NotificationService/SendOrderConfirmation`,
      ].sort(),
    );
    for (const s of spans) {
      expect(s.attributes[ORDER_ID_ATTRIBUTE], s.name).to.equal(order.orderId);
      expect(s.attributes["rpc.system"], s.name).to.equal("grpc");
      expect(s.attributes["rpc.grpc.status_code"], s.name).to.equal(0);
    }
    expectOneTree(spans, header.split("-")[2]!);
  });

  it("NATS (http/protobuf): one order is one trace across the three services, under the trace id the client sent", async () => {
    const stack = await startStack({ mode: "nats", where: "in-process", env: { ...otelEnv(receiver, "http/protobuf"), OTEL_BSP_SCHEDULE_DELAY: "50" } });
    const client = await NatsWorkflowClient.connect({ natsUrl: stack.server.url });
    const { traceId, header } = traceparent();
    const order = sampleOrder();
    try {
      await client.placeOrder(order, { traceparent: header });
      const expectedConsumers = [
        `order process ${SUBJECTS.orderPlaced}`,
        `billing process ${SUBJECTS.invoiceRequested}`,
        `order process ${SUBJECTS.invoiceCreated}`,
        `notification process ${SUBJECTS.emailRequested}`,
        `order process ${SUBJECTS.emailSent}`,
      ].sort();
      const consumerNames = (found: readonly ReceivedSpan[]) =>
        found
          .filter((s) => s.kind === SPAN_KIND.consumer)
          .map((s) => `${s.service} ${s.name}`)
          .sort();
      // Each service exports on its own batch schedule, so the step processed last is not always the
      // one exported last: wait until every step's span and every publish's span has arrived.
      const spans = await eventually("the order's spans from all three services", () => {
        const found = receiver.spans.filter((s) => s.traceId === traceId);
        const producers = found.filter((s) => s.kind === SPAN_KIND.producer).length;
        const names = consumerNames(found);
        return expectedConsumers.every((n) => names.includes(n)) && producers >= 4 ? found : undefined;
      });
      expect(receiver.contentTypes.has("application/x-protobuf")).to.equal(true);
      expect(new Set(spans.map((s) => s.service))).to.deep.equal(new Set(["order", "billing", "notification"]));
      const consumers = spans.filter((s) => s.kind === SPAN_KIND.consumer);
      expect(consumerNames(spans)).to.deep.equal(expectedConsumers);
      for (const s of consumers) {
        expect(s.attributes["messaging.system"]).to.equal("nats");
        expect(s.attributes["messaging.nats.delivery_count"]).to.equal(1);
        expect(s.attributes["messaging.nats.stream_sequence"]).to.be.a("number").greaterThan(0);
        expect(s.attributes["messaging.consumer.group.name"]).to.be.a("string");
      }
      expect(spans.filter((s) => s.kind === SPAN_KIND.producer).map((s) => s.name)).to.have.length(4);
      for (const s of spans) expect(s.attributes[ORDER_ID_ATTRIBUTE], s.name).to.equal(order.orderId);
      expectOneTree(spans, header.split("-")[2]!);
    } finally {
      await client.close();
      await stack.close();
    }
  });

  describe("a NATS consumer", () => {
    let dir: string;
    let nc: NatsConnection;
    let stopServer: () => Promise<void>;
    const settings = { duplicateWindowMs: 60_000, ackWaitMs: 30_000, maxDeliver: 3, maxAckPending: 4 };
    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), "gvn-trace-"));
      const server = await startNatsServer({ storeDir: dir });
      stopServer = () => server.stop();
      nc = await connect({ servers: server.url });
      const jsm = await nc.jetstreamManager();
      await ensureStreams(jsm, settings);
      await ensureConsumer(jsm, CONSUMERS.invoicer, settings);
    });
    afterEach(async () => {
      await nc.close();
      await stopServer();
      await rm(dir, { recursive: true, force: true });
    });

    async function consumeOnce(fail: (delivery: number) => Error | undefined): Promise<ReceivedSpan[]> {
      const log = createLogger("test", "error");
      const tracing = startTracing(tracingSettings({ ...otelEnv(receiver, "http/json"), OTEL_BSP_SCHEDULE_DELAY: "50" }, "billing"), log);
      const js = nc.jetstream();
      const order = sampleOrder();
      const consumer = await startWorkConsumer({
        js,
        consumer: CONSUMERS.invoicer,
        concurrency: 4,
        retry: { ...DEFAULT_RETRY_POLICY, baseDelayMs: 50, maxDeliver: settings.maxDeliver },
        log,
        tracing,
        handle: async (msg) => {
          const err = fail(msg.info.deliveryCount);
          if (err) throw err;
        },
      });
      try {
        await publishMessage(js, ROUTES.invoiceRequested, { order }, { orderId: order.orderId, msgId: order.orderId }, { tracing });
        return await eventually("the deliveries' spans", () => {
          const spans = receiver.spans.filter((s) => s.attributes[ORDER_ID_ATTRIBUTE] === order.orderId);
          const done = spans.find((s) => s.kind === SPAN_KIND.consumer && (s.status.code !== 2 || s.status.message.startsWith("dead-lettered")));
          return done ? spans : undefined;
        });
      } finally {
        await consumer.stop();
        await tracing.shutdown();
      }
    }

    it("a redelivered message shows as a second consumer span in the same trace, the first marked failed", async () => {
      const spans = await consumeOnce((delivery) => (delivery === 1 ? new DependencyUnavailableError("payment provider", "timed out") : undefined));
      const producer = spans.find((s) => s.kind === SPAN_KIND.producer)!;
      const deliveries = spans.filter((s) => s.kind === SPAN_KIND.consumer).sort((a, b) => a.startMs - b.startMs);
      expect(deliveries.map((s) => s.attributes["messaging.nats.delivery_count"])).to.deep.equal([1, 2]);
      for (const d of deliveries) {
        expect(d.traceId).to.equal(producer.traceId);
        expect(d.parentSpanId).to.equal(producer.spanId);
      }
      expect(deliveries[0]!.status.code).to.equal(2);
      expect(deliveries[0]!.status.message).to.match(/^will retry: .*payment provider/);
      expect(deliveries[1]!.status.code).to.equal(0);
    });

    it("a dead-lettered message ends in an error span that gives the reason", async () => {
      const spans = await consumeOnce(() => new MalformedRequestError("invoice request without an order"));
      const delivery = spans.find((s) => s.kind === SPAN_KIND.consumer)!;
      expect(delivery.status).to.deep.equal({ code: 2, message: "dead-lettered: invoice request without an order" });
      expect(delivery.events.map((e) => e.name)).to.include("dead-lettered");
    });
  });
});
