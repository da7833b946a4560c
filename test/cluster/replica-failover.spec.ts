import { expect } from "chai";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ManagedProcess } from "../../testbed/process-group.js";
import { startStack, withBroker } from "../../testbed/stack/start-stack.js";
import { Ledger } from "../../testbed/audit/ledger.js";
import { dataPaths } from "../../services/common/data-paths.js";
import { openReadOnly } from "../../services/common/sqlite.js";
import type { Mode } from "../../services/common/config.js";
import { OrderStatus, type Order } from "../../services/gen/shop/v1/order.js";
import { readDeadLetters } from "../../services/nats/inspect.js";
import type { OrderWorkflowClient } from "../../services/workflow.js";
import { runLoad, type LoadTarget } from "../../testbed/load/load-generator.js";
import { Timeline } from "../../testbed/timeline.js";
import { eventually } from "../support/eventually.js";
import { orderReaches } from "../support/order-status.js";
import { sampleOrder } from "../support/orders.js";
import { CAPABILITIES } from "../../testbed/stack/capabilities.js";

interface Deployment {
  client: OrderWorkflowClient;
  /** The replica to kill. */
  victim: ManagedProcess;
  deadLetters?(): Promise<number>;
  close(): Promise<void>;
}

/** Real processes: order and notification once, billing twice on one database (or, `orderTwice`, order twice); gRPC or NATS. */
async function deploy(mode: Mode, dataDir: string, orderTwice = false): Promise<Deployment> {
  const twice = orderTwice ? "order" : "billing";
  // gRPC: the order service is given both replicas' addresses (the caller must know every server);
  // NATS: the second process joins the same durable consumer(s), and nothing else learns of it.
  const stack = await startStack({
    mode,
    where: "processes",
    dataDir,
    env: { LOG_LEVEL: "error", SHUTDOWN_GRACE_MS: "2000", NATS_ACK_WAIT_MS: "2000" },
    replicas: { [twice]: 2 },
  });
  try {
    const client = await stack.connectClient();
    const jsm = withBroker(stack) ? await (await stack.natsConnection()).jetstreamManager() : undefined;
    return {
      client,
      victim: stack.processes.get(twice)!,
      deadLetters: jsm && (async () => (await readDeadLetters(jsm)).length),
      async close() {
        await client.close();
        await stack.stop();
      },
    };
  } catch (err) {
    await stack.stop();
    throw err;
  }
}

/**
 * Two billing replicas under load, one SIGKILLed mid-run. gRPC: round_robin
 * stops picking it, calls in flight on it fail or are retried as UNAVAILABLE,
 * and what failed completes when re-sent. NATS: its unacknowledged messages
 * go to the other replica after ack_wait. Both: every order completes once.
 */
async function drill(mode: Mode, orderTwice = false): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), `gvn-replicas-${mode}-`));
  const d = await deploy(mode, dataDir, orderTwice);
  try {
    // 200 orders at 50/s; the victim SIGKILLed 1 s in (about 50 placed).
    const target: LoadTarget = { name: mode, answerMeansComplete: false, place: (order) => d.client.placeOrder(order).then(() => undefined) };
    const timeline = new Timeline().at(1_000, "replica killed", async () => {
      d.victim.child.kill("SIGKILL");
      await d.victim.exited;
    });
    const byId = new Map<string, Order>();
    const load = await runLoad(target, {
      rate: 50,
      count: 200,
      makeOrder: () => {
        const order = sampleOrder();
        byId.set(order.orderId, order);
        return order;
      },
      startAt: timeline.t0,
      onElapsed: (t) => timeline.tick(t),
      // Nothing watches completions here: the orders are read back below.
      drainTimeoutMs: 0,
    });
    await timeline.finish();
    await eventually("every placement answered", () => (load.orders.every((o) => o.acceptedAt !== undefined || o.error) ? true : undefined), 60_000);
    const orders = [...byId.values()];
    const failed = load.orders.filter((o) => o.error).map((o) => byId.get(o.orderId)!);
    if (CAPABILITIES[mode].hasBroker) expect(failed, "placements refused by the broker").to.deep.equal([]);
    // The client re-sends what failed, with the same order id; those complete too.
    for (const order of failed) await eventually(`the re-sent order ${order.orderId} to be answered`, () => d.client.placeOrder(order), 60_000);
    for (const order of orders) await orderReaches(d.client, order.orderId, OrderStatus.ORDER_STATUS_COMPLETED, 60_000);
    const ledger = new Ledger(dataDir);
    try {
      const snap = ledger.snapshot();
      for (const order of orders) {
        expect(snap.invoices.get(order.orderId), `invoices of ${order.orderId}`).to.equal(1);
        expect(snap.emails.get(order.orderId)?.rows, `e-mails of ${order.orderId}`).to.equal(1);
      }
    } finally {
      ledger.close();
    }
    // No order's steps interleaved wrongly: each e-mail was begun after its order's invoice was issued.
    const billing = openReadOnly(dataPaths(dataDir).billingDb);
    const notification = openReadOnly(dataPaths(dataDir).notificationDb);
    try {
      const issued = billing.prepare<[string], { t: number }>("SELECT issued_at_ms AS t FROM invoices WHERE order_id = ?");
      const mailed = notification.prepare<[string], { t: number }>("SELECT created_at AS t FROM emails WHERE order_id = ?");
      for (const order of orders)
        expect(mailed.get(order.orderId)!.t, `e-mail of ${order.orderId} after its invoice`).to.be.at.least(issued.get(order.orderId)!.t);
    } finally {
      billing.close();
      notification.close();
    }
    if (d.deadLetters) expect(await d.deadLetters(), "dead letters").to.equal(0);
  } finally {
    await d.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

describe("a replica killed under load (two replicas of a service, real processes)", function () {
  this.timeout(180_000);

  it("gRPC: the order service balances over both, stops using the dead one; re-sent orders complete; each billed and mailed once", () => drill("grpc"));

  it("NATS: the other replica takes the dead one's unacknowledged messages after ack_wait; each order billed and mailed once", () => drill("nats"));

  it("NATS: two order-service replicas share order-intake and order-events; one SIGKILLed: each order billed, then mailed, once", () => drill("nats", true));
});
