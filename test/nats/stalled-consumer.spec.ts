import { expect } from "chai";
import type { NatsInProcessStack } from "../../testbed/stack/nats-in-process.js";
import { startStack } from "../../testbed/stack/start-stack.js";
import { OrderStatus } from "../../services/gen/shop/v1/order.js";
import { eventually } from "../support/eventually.js";
import { orderReaches } from "../support/order-status.js";
import { sampleOrder } from "../support/orders.js";

/** GET on the billing service's metrics port: /ready's status and text, or a metric's value. */
async function get(port: number, path: string): Promise<{ status: number; text: string }> {
  const r = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: r.status, text: await r.text() };
}

const stalledGauge = (text: string) => Number(/^nats_consumer_stalled\{[^}]*consumer="billing-invoicer"[^}]*\} (\d+)/m.exec(text)?.[1] ?? NaN);

describe("a stalled consumer reports itself", function () {
  this.timeout(60_000);
  let stack: NatsInProcessStack;

  before(async () => {
    stack = await startStack({
      mode: "nats",
      where: "in-process",
      // Billing's payment provider takes 4 s per invoice: work pending, nothing completed meanwhile.
      env: { NATS_STALL_AFTER_MS: "1000", NATS_ACK_WAIT_MS: "20000" },
      serviceEnv: { billing: { BILLING_PROVIDER_DELAY_MS: "4000", METRICS_PORT: "0" } },
    });
  });
  after(() => stack?.close());

  it("turns unready, says so in a metric and names the consumer, then ready again once it moves", async () => {
    const port = stack.services.get("billing")!.metricsPort!;
    expect((await get(port, "/ready")).status).to.equal(200);
    const client = await stack.connectClient();
    try {
      const order = sampleOrder();
      await client.placeOrder(order);
      const unready = await eventually("billing to report its consumer stalled", async () => {
        const r = await get(port, "/ready");
        return r.status === 503 ? r.text : undefined;
      });
      expect(unready).to.match(/^consumer billing-invoicer stalled: work pending, none completed for 1000 ms/);
      expect(stalledGauge((await get(port, "/metrics")).text)).to.equal(1);
      await orderReaches(client, order.orderId, OrderStatus.ORDER_STATUS_COMPLETED, 30_000);
      await eventually("billing to be ready again", async () => ((await get(port, "/ready")).status === 200 ? true : undefined));
      expect(stalledGauge((await get(port, "/metrics")).text)).to.equal(0);
    } finally {
      await client.close();
    }
  });
});
