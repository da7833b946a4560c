import type { GrpcInProcessStack } from "../../testbed/stack/grpc-in-process.js";
import { startStack } from "../../testbed/stack/start-stack.js";
import { credentials, Metadata, status } from "@grpc/grpc-js";
import { expect } from "chai";
import { connect as http2Connect } from "node:http2";
import { Ledger } from "../../testbed/audit/ledger.js";
import { OrderStatus, PlaceOrderRequest, type Order } from "../../services/gen/shop/v1/order.js";
import { OrderServiceClient } from "../../services/gen/shop/v1/order_service.js";
import { HealthCheckResponse_ServingStatus, HealthClient } from "../../services/gen/grpc/health/v1/health.js";
import { GrpcWorkflowClient } from "../../services/grpc/workflow-client.js";
import { rawUnary } from "../support/raw-grpc.js";
import { sampleOrder } from "../support/orders.js";

const PLACE = "/shop.v1.OrderService/PlaceOrder";

describe("gRPC mode with bad input", function () {
  this.timeout(60_000);
  let stack: GrpcInProcessStack;
  let order: string;
  let client: GrpcWorkflowClient;
  let ledger: Ledger;

  before(async () => {
    stack = await startStack({ mode: "grpc", where: "in-process" });
    order = stack.services.order.addresses.listens!;
    client = new GrpcWorkflowClient({ orderServiceAddr: order });
    ledger = new Ledger(stack.dataDir);
  });
  after(async () => {
    await client.close();
    ledger.close();
    await stack.close();
  });

  const place = (o: Order) => rawUnary(order, PLACE, Buffer.from(PlaceOrderRequest.encode({ order: o }).finish()));

  it("answers malformed protobuf with INVALID_ARGUMENT and the reason, not INTERNAL", async () => {
    const { error } = await rawUnary(order, PLACE, Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]));
    expect(error?.code).to.equal(status.INVALID_ARGUMENT);
    expect(error?.details).to.match(/^malformed request for \/shop\.v1\.OrderService\/PlaceOrder \(6 bytes\): /);
  });

  it("status_code_and_message: names every broken field and rule in the status message", async () => {
    const { error } = await place(sampleOrder({ orderId: "bad-1", currency: "", items: [] }));
    expect(error?.code).to.equal(status.INVALID_ARGUMENT);
    expect(error?.details).to.equal("items: must contain at least one item; currency: must not be empty");
    const missing = await rawUnary(order, "/shop.v1.OrderService/GetOrder", Buffer.alloc(0));
    expect(missing.error?.code).to.equal(status.INVALID_ARGUMENT);
    expect(missing.error?.details).to.equal("order_id: must not be empty");
  });

  it("unimplemented_method: answers an unknown method or service with UNIMPLEMENTED", async () => {
    for (const path of ["/shop.v1.OrderService/CancelOrder", "/shop.v1.NoSuchService/Call"]) {
      const { error } = await rawUnary(order, path, Buffer.alloc(0));
      expect(error?.code, path).to.equal(status.UNIMPLEMENTED);
    }
  });

  it("refuses a request with another content type than application/grpc", async () => {
    const session = http2Connect(`http://${order}`);
    try {
      const answer = await new Promise<number>((resolve, reject) => {
        const req = session.request({ ":method": "POST", ":path": PLACE, "content-type": "application/json" });
        req.on("response", (headers) => resolve(Number(headers[":status"])));
        req.on("error", reject);
        req.end('{"order":{}}');
      });
      expect(answer).to.equal(415);
    } finally {
      session.close();
    }
  });

  it("large_unary: completes the largest valid order and refuses one above the size limit with RESOURCE_EXHAUSTED", async () => {
    const big = sampleOrder({
      customer: { id: "c".repeat(64), name: "N".repeat(200), email: "large@example.com" },
      items: Array.from({ length: 100 }, (_, i) => ({ sku: `S${i}`.padEnd(64, "x"), name: "é".repeat(200), quantity: 1, unitPriceMinor: 1n })),
    });
    const ok = await place(big);
    expect(ok.error, ok.error?.details).to.equal(undefined);
    expect(ledger.order(big.orderId)).to.include({ invoices: 1, emails: 1 });

    const huge = sampleOrder({ customer: { id: "c", name: "x".repeat(2 * 1024 * 1024), email: "huge@example.com" } });
    const refused = await place(huge);
    expect(refused.error?.code).to.equal(status.RESOURCE_EXHAUSTED);
    expect(ledger.order(huge.orderId)).to.include({ invoices: 0, emails: 0, status: undefined });
  });

  it("names the field for strings that are empty or too long, and takes non-ASCII names and addresses", async () => {
    const long = await place(sampleOrder({ customer: { id: "c", name: "x".repeat(100_000), email: "a@example.com" } }));
    expect(long.error?.code).to.equal(status.INVALID_ARGUMENT);
    expect(long.error?.details).to.equal("customer.name: must be at most 200 characters");
    const empty = await place(sampleOrder({ items: [{ sku: "", name: "", quantity: 1, unitPriceMinor: 1n }] }));
    expect(empty.error?.details).to.equal("items[0].sku: must not be empty; items[0].name: must not be empty");

    const intl = sampleOrder({ customer: { id: "c", name: "Jürgen Ωμέγα 山田", email: "jürgen@bücher.example" } });
    expect((await place(intl)).error).to.equal(undefined);
    expect(ledger.order(intl.orderId)).to.include({ invoices: 1, emails: 1, emailRecipient: "jürgen@bücher.example" });
  });

  it("timeout_on_sleeping_server: a deadline too short for the work ends in DEADLINE_EXCEEDED, and nothing is half-written", async () => {
    const o = sampleOrder();
    const { error } = await rawUnary(order, PLACE, Buffer.from(PlaceOrderRequest.encode({ order: o }).finish()), 1);
    expect(error?.code).to.equal(status.DEADLINE_EXCEEDED);
    // Whatever the server got done, a re-send completes it exactly once.
    const placement = await client.placeOrder(o);
    expect(placement.status).to.equal(OrderStatus.ORDER_STATUS_COMPLETED);
    expect(ledger.order(o.orderId)).to.include({ invoices: 1, emails: 1 });
  });

  it("cancel_after_begin: a call cancelled by the client ends CANCELLED, and a re-send completes once", async () => {
    const o = sampleOrder();
    const raw = new OrderServiceClient(order, credentials.createInsecure());
    try {
      const code = await new Promise<number>((resolve) => {
        const call = raw.placeOrder({ order: o }, new Metadata(), (err) => resolve(err?.code ?? status.OK));
        call.cancel();
      });
      expect(code).to.equal(status.CANCELLED);
    } finally {
      raw.close();
    }
    expect((await client.placeOrder(o)).status).to.equal(OrderStatus.ORDER_STATUS_COMPLETED);
    expect(ledger.order(o.orderId)).to.include({ invoices: 1, emails: 1 });
  });

  it("is still healthy, and still completes orders, after all of the bad input above", async () => {
    const health = new HealthClient(order, credentials.createInsecure());
    try {
      const serving = await new Promise((resolve) =>
        health.check({ service: "" }, (err, res) => resolve(!err && res.status === HealthCheckResponse_ServingStatus.SERVING)),
      );
      expect(serving, "health after bad input").to.equal(true);
    } finally {
      health.close();
    }
    const placed = await client.placeOrder(sampleOrder());
    expect(placed.status).to.equal(OrderStatus.ORDER_STATUS_COMPLETED);
  });
});
