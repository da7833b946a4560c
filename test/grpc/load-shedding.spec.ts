import { status } from "@grpc/grpc-js";
import { expect } from "chai";
import { parseAddressList } from "../../services/common/address-list.js";
import { OverloadedError } from "../../services/domain/errors.js";
import { BillingServiceClient } from "../../services/gen/shop/v1/billing_service.js";
import { fakeBilling, fakeInvoice, orderWithFakeBilling } from "../support/fake-billing.js";
import { OrderStatus } from "../../services/gen/shop/v1/order.js";
import { callUnary, createClient } from "../../services/grpc/channel.js";
import { DEFAULT_RETRY } from "../../services/grpc/retry-policy.js";
import { eventually } from "../support/eventually.js";
import { sampleOrder } from "../support/orders.js";

describe("gRPC load shedding and retries", function () {
  this.timeout(60_000);

  for (const [code, expected] of [
    [status.RESOURCE_EXHAUSTED, 1],
    [status.UNAVAILABLE, DEFAULT_RETRY.maxAttempts],
    [status.INVALID_ARGUMENT, 1],
  ] as const) {
    it(`a client makes ${expected} attempt(s) when the server answers ${status[code]}`, async () => {
      let attempts = 0;
      const billing = await fakeBilling((_call, cb) => {
        attempts++;
        cb({ code, details: "test" });
      });
      const client = createClient(BillingServiceClient, "shop.v1.BillingService", parseAddressList("X", billing.address));
      try {
        const err = await callUnary(
          client.createInvoice.bind(client),
          { order: sampleOrder() },
          { deadline: Date.now() + 10_000 },
          { path: "shop.v1.BillingService/CreateInvoice" },
        ).catch((e: { code: number }) => e);
        expect((err as { code: number }).code).to.equal(code);
        expect(attempts).to.equal(expected);
      } finally {
        client.close();
        billing.close();
      }
    });
  }

  it("sheds calls above the server's in-flight limit with RESOURCE_EXHAUSTED and completes the ones it took", async () => {
    const held: Array<() => void> = [];
    let invoice = 0;
    const billing = await fakeBilling((call, cb) => {
      held.push(() => cb(null, fakeInvoice(call.request.order!.orderId, `INV-2026-${String(++invoice).padStart(6, "0")}`)));
    });
    const stack = await orderWithFakeBilling({ billing: [billing], env: { GRPC_MAX_IN_FLIGHT: "5" } });
    try {
      const outcomes: Array<unknown> = [];
      const calls = Array.from({ length: 20 }, () =>
        stack.client.placeOrder(sampleOrder()).then(
          (p) => outcomes.push(p.status),
          (e: unknown) => outcomes.push(e),
        ),
      );
      await eventually("5 calls held at billing and 15 shed", () => (held.length === 5 && outcomes.length === 15 ? true : undefined));
      expect(outcomes.every((e) => e instanceof OverloadedError)).to.equal(true);
      held.forEach((release) => release());
      await Promise.all(calls);
      expect(outcomes.filter((s) => s === OrderStatus.ORDER_STATUS_COMPLETED)).to.have.length(5);
    } finally {
      await stack.close();
    }
  });
});
