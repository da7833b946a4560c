import type { NatsInProcessStack } from "../../testbed/stack/nats-in-process.js";
import { startStack } from "../../testbed/stack/start-stack.js";
import { expect } from "chai";
import { connect } from "nats";
import { Ledger } from "../../testbed/audit/ledger.js";
import { OrderStatus } from "../../services/gen/shop/v1/order.js";
import { readDeadLetters } from "../../services/nats/inspect.js";
import { NatsWorkflowClient } from "../../services/nats/workflow-client.js";
import { encodePayload } from "../../services/nats/codec.js";
import { ROUTES } from "../../services/nats/routes.js";
import { STREAMS, SUBJECTS } from "../../services/nats/topology.js";
import { freePort } from "../../testbed/free-port.js";
import { eventually } from "../support/eventually.js";
import { metricValue, scrape } from "../support/prometheus.js";
import { sampleOrder } from "../support/orders.js";
import { orderReaches } from "../support/order-status.js";

describe("NATS mode failure paths", function () {
  this.timeout(120_000);

  describe("a step that keeps failing", () => {
    let stack: NatsInProcessStack;
    let client: NatsWorkflowClient;

    before(async () => {
      // Nothing listens on this port: every SMTP send is refused, a transient failure.
      stack = await startStack({
        mode: "nats",
        where: "in-process",
        env: { SMTP_URL: `smtp://127.0.0.1:${await freePort()}`, NATS_MAX_DELIVER: "2", METRICS_PORT: "0" },
      });
      client = await NatsWorkflowClient.connect({ natsUrl: stack.server.url });
    });
    after(async () => {
      await client?.close();
      await stack?.close();
    });

    it("is retried up to max_deliver, then dead-lettered, and the order ends FAILED with the reason", async () => {
      const order = sampleOrder();
      await client.placeOrder(order);
      const view = await orderReaches(client, order.orderId, OrderStatus.ORDER_STATUS_FAILED);
      expect(view.failureReason).to.match(/^notification failed: gave up after 2 deliveries: SMTP server unavailable/);
      expect(view.invoiceNumber).to.match(/^INV-/);
      const nc = await connect({ servers: stack.server.url });
      const letters = await readDeadLetters(await nc.jetstreamManager()).finally(() => nc.close());
      const letter = letters.find((d) => d.originalSubject === "notification.email.requested");
      expect(letter).to.include({ originalStream: STREAMS.notification, deliveries: 2 });
      const ledger = new Ledger(stack.dataDir);
      try {
        expect(ledger.order(order.orderId)).to.include({ invoices: 1, emails: 1, emailStatus: "sending" });
      } finally {
        ledger.close();
      }
      // The second delivery and the dead letter are counted where a dashboard would see them.
      const metrics = await scrape(stack.services.get("notification")!.metricsPort!);
      expect(metricValue(metrics, "nats_consumer_redeliveries_total", { consumer: "notification-mailer" })).to.equal(1);
      expect(metricValue(metrics, "nats_dead_letters_total", { subject: "notification.email.requested" })).to.equal(1);
      const orderMetrics = await scrape(stack.services.get("order")!.metricsPort!);
      expect(metricValue(orderMetrics, "shop_orders_total", { outcome: "failed" })).to.equal(1);
    });
  });

  describe("a broker restart while a backlog waits", () => {
    let stack: NatsInProcessStack;

    before(async () => {
      stack = await startStack({ mode: "nats", where: "in-process" });
    });
    after(async () => {
      await stack?.close();
    });

    it("loses no acknowledged order: the backlog survives on file storage and services reconnect by themselves", async () => {
      await stack.control.stop("billing");
      const client = await NatsWorkflowClient.connect({ natsUrl: stack.server.url });
      const orders = Array.from({ length: 30 }, () => sampleOrder());
      try {
        await Promise.all(orders.map((o) => client.placeOrder(o)));
        const nc = await connect({ servers: stack.server.url });
        const jsm = await nc.jetstreamManager();
        await eventually("30 invoice requests waiting in BILLING", async () =>
          (await jsm.streams.info(STREAMS.billing)).state.messages === orders.length ? true : undefined,
        ).finally(() => nc.close());
      } finally {
        await client.close();
      }

      await stack.control.stop("broker");
      await stack.control.start("broker");
      await stack.control.start("billing");

      const after = await NatsWorkflowClient.connect({ natsUrl: stack.server.url });
      const ledger = new Ledger(stack.dataDir);
      try {
        for (const o of orders) {
          const view = await orderReaches(after, o.orderId);
          expect(ledger.order(o.orderId)).to.include({ invoices: 1, emails: 1, invoiceNumber: view.invoiceNumber });
        }
      } finally {
        ledger.close();
        await after.close();
      }
    });
  });

  describe("an order id reused for a different order after the duplicate window", () => {
    let stack: NatsInProcessStack;

    before(async () => {
      stack = await startStack({ mode: "nats", where: "in-process", env: { NATS_DUPLICATE_WINDOW_MS: "100" } });
    });
    after(async () => {
      await stack?.close();
    });

    it("is dead-lettered as a conflict, and the first order stays as it was, billed and mailed once", async () => {
      const client = await NatsWorkflowClient.connect({ natsUrl: stack.server.url });
      const nc = await connect({ servers: stack.server.url });
      const ledger = new Ledger(stack.dataDir);
      try {
        const order = sampleOrder();
        await client.placeOrder(order);
        const first = await orderReaches(client, order.orderId);
        // Re-published until the stream no longer counts it a duplicate: the window has passed.
        const reused = { ...order, currency: "USD" };
        const { data, headers } = encodePayload(ROUTES.orderPlaced.payload, reused);
        await eventually("a publish outside the duplicate window", async () =>
          (await nc.jetstream().publish(SUBJECTS.orderPlaced, data, { headers, msgID: order.orderId })).duplicate ? undefined : true,
        );
        const letter = await eventually("the conflict's dead letter", async () =>
          (await readDeadLetters(await nc.jetstreamManager())).find((d) => d.originalStream === STREAMS.orders),
        );
        expect(letter.reason).to.match(/^conflict: order_id ".+" was already used for a different order$/);
        expect(await client.getOrder(order.orderId)).to.deep.equal(first);
        expect(ledger.order(order.orderId)).to.include({ invoices: 1, emails: 1, invoiceNumber: first.invoiceNumber });
      } finally {
        ledger.close();
        await nc.close();
        await client.close();
      }
    });
  });
});
