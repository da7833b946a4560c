import type { GrpcInProcessStack } from "../../testbed/stack/grpc-in-process.js";
import { startStack } from "../../testbed/stack/start-stack.js";
import { expect } from "chai";
import { bufCurl } from "../support/buf-curl.js";

describe("gRPC reflection and health, read by buf curl", function () {
  this.timeout(120_000);
  let stack: GrpcInProcessStack;
  const url = (service: keyof GrpcInProcessStack["services"], path = "") => `http://${stack.services[service].addresses.listens}${path}`;

  before(async () => {
    stack = await startStack({ mode: "grpc", where: "in-process" });
  });
  after(async () => {
    await stack?.close();
  });

  for (const [service, name] of [
    ["order", "shop.v1.OrderService"],
    ["billing", "shop.v1.BillingService"],
    ["notification", "shop.v1.NotificationService"],
  ] as const) {
    for (const protocol of ["grpc-v1", "grpc-v1alpha"]) {
      it(`lists ${name} and the health service on the ${service} server (${protocol})`, async () => {
        const res = await bufCurl(["--reflect-protocol", protocol, "--list-services", url(service)]);
        expect(res.code, res.stderr).to.equal(0);
        expect(res.stdout.split("\n").filter(Boolean).sort()).to.deep.equal(["grpc.health.v1.Health", name].sort());
      });
    }
  }

  it("describes every method, so each file resolves including the health proto", async () => {
    const res = await bufCurl(["--list-methods", url("order")]);
    expect(res.code, res.stderr).to.equal(0);
    expect(res.stdout).to.include("shop.v1.OrderService/PlaceOrder");
    expect(res.stdout).to.include("shop.v1.OrderService/GetOrder");
    expect(res.stdout).to.include("grpc.health.v1.Health/Check");
    expect(res.stdout).to.include("grpc.health.v1.Health/Watch");
  });

  it("places an order and reads it back COMPLETED with JSON built from reflection alone", async () => {
    const order = {
      order: {
        order_id: "reflect-1",
        currency: "EUR",
        customer: { id: "c-1", name: "Ada", email: "ada@example.com" },
        items: [{ sku: "MUG-1", name: "Mug", quantity: 2, unit_price_minor: "1250" }],
      },
    };
    const placed = await bufCurl(["-d", JSON.stringify(order), url("order", "/shop.v1.OrderService/PlaceOrder")]);
    expect(placed.code, placed.stderr).to.equal(0);
    expect(JSON.parse(placed.stdout)).to.include({ orderId: "reflect-1", status: "ORDER_STATUS_COMPLETED" });

    const got = await bufCurl(["-d", '{"order_id":"reflect-1"}', url("order", "/shop.v1.OrderService/GetOrder")]);
    expect(got.code, got.stderr).to.equal(0);
    expect(JSON.parse(got.stdout)).to.deep.include({ orderId: "reflect-1", status: "ORDER_STATUS_COMPLETED", totalMinor: "2500", emailSent: true });

    const invoice = await bufCurl(["-d", '{"order_id":"reflect-1"}', url("billing", "/shop.v1.BillingService/GetInvoice")]);
    expect(invoice.code, invoice.stderr).to.equal(0);
    expect((JSON.parse(invoice.stdout) as { invoice: object }).invoice).to.include({ orderId: "reflect-1", totalMinor: "2500", currency: "EUR" });
  });

  it("answers an invalid order with invalid_argument naming the field", async () => {
    const res = await bufCurl([
      "-d",
      '{"order":{"order_id":"reflect-2","currency":"EUR","customer":{"name":"A","email":"a@example.com"},"items":[{"sku":"A","name":"A","quantity":0,"unit_price_minor":"1"}]}}',
      url("order", "/shop.v1.OrderService/PlaceOrder"),
    ]);
    expect(res.code).to.not.equal(0);
    expect(res.stdout + res.stderr).to.include("invalid_argument");
    expect(res.stdout + res.stderr).to.include("items[0].quantity: must be at least 1");
  });

  it("reports SERVING through grpc.health.v1 Check for the server and for each service", async () => {
    for (const service of ["", "shop.v1.OrderService", "grpc.health.v1.Health"]) {
      const res = await bufCurl(["-d", JSON.stringify({ service }), url("order", "/grpc.health.v1.Health/Check")]);
      if (service === "grpc.health.v1.Health") {
        expect(res.code).to.not.equal(0);
        continue;
      }
      expect(res.code, res.stderr).to.equal(0);
      expect(JSON.parse(res.stdout)).to.deep.equal({ status: "SERVING" });
    }
  });
});
