import type { NatsInProcessStack } from "../../testbed/stack/nats-in-process.js";
import { startStack } from "../../testbed/stack/start-stack.js";
import { expect } from "chai";
import { connect, ErrorCode, headers, type NatsConnection, type NatsError } from "nats";
import { Ledger } from "../../testbed/audit/ledger.js";
import { CreateInvoiceRequest } from "../../services/gen/shop/v1/billing.js";
import { GetOrderRequest, Order, OrderStatus } from "../../services/gen/shop/v1/order.js";
import { readDeadLetters } from "../../services/nats/inspect.js";
import { NatsWorkflowClient } from "../../services/nats/workflow-client.js";
import { CONSUMERS, STREAMS } from "../../services/nats/topology.js";
import { eventually } from "../support/eventually.js";
import { sampleOrder } from "../support/orders.js";
import { orderReaches } from "../support/order-status.js";

describe("NATS mode with bad input", function () {
  this.timeout(60_000);
  let stack: NatsInProcessStack;
  let nc: NatsConnection;
  let client: NatsWorkflowClient;
  let ledger: Ledger;

  before(async () => {
    stack = await startStack({ mode: "nats", where: "in-process" });
    nc = await connect({ servers: stack.server.url });
    client = await NatsWorkflowClient.connect({ natsUrl: stack.server.url });
    ledger = new Ledger(stack.dataDir);
  });
  after(async () => {
    await client?.close();
    await nc?.close();
    ledger?.close();
    await stack?.close();
  });

  async function publishError(subject: string, data: Uint8Array): Promise<string> {
    try {
      await nc.jetstream().publish(subject, data);
      return "accepted";
    } catch (err) {
      return `${(err as NatsError).code ?? ""} ${(err as Error).message}`;
    }
  }

  it("refuses a payload above the size limit at publish time, with a clear error", async () => {
    const huge = Order.encode(sampleOrder({ customer: { id: "c", name: "x".repeat(2 * 1024 * 1024), email: "a@example.com" } })).finish();
    expect(await publishError("orders.placed", huge)).to.match(/MAX_PAYLOAD|payload|size/i);
  });

  it("refuses a publish to a subject no stream takes (nothing would ever process it)", async () => {
    expect(await publishError("orders.cancelled", Order.encode(sampleOrder()).finish())).to.match(/503|no responders/i);
  });

  it("answers an unknown request subject with no responders, and a malformed orders.get with a 400", async () => {
    const unknown = await nc.request("orders.cancel", new Uint8Array(), { timeout: 2_000 }).then(
      () => "answered",
      (err: NatsError) => err.code,
    );
    expect(unknown).to.equal(ErrorCode.NoResponders);
    const reply = await nc.request("orders.get", Uint8Array.of(0xff, 0xff, 0xff), { timeout: 2_000 });
    expect(reply.headers?.get("Nats-Service-Error-Code")).to.equal("400");
    expect(reply.headers?.get("Nats-Service-Error")).to.match(/^undecodable shop\.v1\.GetOrderRequest payload/);
    const empty = await nc.request("orders.get", GetOrderRequest.encode({ orderId: "" }).finish(), { timeout: 2_000 });
    expect(empty.headers?.get("Nats-Service-Error")).to.equal("order_id: must not be empty");
  });

  it("dead-letters an invalid order that bypasses the order service and reaches billing directly", async () => {
    const bad = sampleOrder({ items: [] });
    const h = headers();
    h.set("Content-Type", "application/protobuf; proto=shop.v1.CreateInvoiceRequest");
    await nc.jetstream().publish("billing.invoice.requested", CreateInvoiceRequest.encode({ order: bad }).finish(), { headers: h });
    const letter = await eventually("the dead letter", async () =>
      (await readDeadLetters(await nc.jetstreamManager())).find((d) => d.originalStream === STREAMS.billing),
    );
    expect(letter.reason).to.equal("invalid: items: must contain at least one item");
    expect(ledger.order(bad.orderId)).to.include({ invoices: 0, emails: 0 });
  });

  it("rejects invalid fields, empty and over-long strings with the field named, and completes non-ASCII names and addresses", async () => {
    const cases: Array<[Order, string]> = [
      [sampleOrder({ customer: { id: "c", name: "", email: "a@example.com" } }), "customer.name: must not be empty"],
      [sampleOrder({ customer: { id: "c", name: "x".repeat(50_000), email: "a@example.com" } }), "customer.name: must be at most 200 characters"],
      [sampleOrder({ items: [{ sku: "A", name: "A", quantity: 4_000_000_000, unitPriceMinor: 3_000_000_000n }] }), "items[0].quantity: must be at most 10000"],
    ];
    for (const [o] of cases) await client.placeOrder(o);
    for (const [o, reason] of cases) {
      const view = await orderReaches(client, o.orderId, OrderStatus.ORDER_STATUS_REJECTED);
      expect(view.failureReason).to.include(reason);
      expect(ledger.order(o.orderId)).to.include({ invoices: 0, emails: 0 });
    }
    const intl = sampleOrder({ customer: { id: "c", name: "Jürgen Ωμέγα 山田", email: "jürgen@bücher.example" } });
    await client.placeOrder(intl);
    await orderReaches(client, intl.orderId);
    expect(ledger.order(intl.orderId)).to.include({ invoices: 1, emails: 1, emailRecipient: "jürgen@bücher.example" });
  });

  // Mocha runs a describe's tests in order: this one comes after all the bad input above.
  it("still completes a valid order afterwards, with every consumer still pulling", async () => {
    const o = sampleOrder();
    await client.placeOrder(o);
    const view = await orderReaches(client, o.orderId);
    expect(view.emailSent).to.equal(true);
    const jsm = await nc.jetstreamManager();
    const waiting = await Promise.all(Object.values(CONSUMERS).map(async (c) => (await jsm.consumers.info(c.stream, c.durable)).num_waiting));
    expect(
      waiting.every((n) => n > 0),
      "every consumer still pulling",
    ).to.equal(true);
  });
});
