import { expect } from "chai";
import { OrderStatus } from "../../services/gen/shop/v1/order.js";
import { fakeBilling, fakeInvoice, orderWithFakeBilling, type CreateInvoiceHandler } from "../support/fake-billing.js";
import { sampleOrder } from "../support/orders.js";

describe("gRPC replicas from a comma-separated address list", function () {
  this.timeout(60_000);

  it("balances billing calls round_robin over every listed replica", async () => {
    const calls = [0, 0];
    const replica =
      (i: number): CreateInvoiceHandler =>
      (call, cb) => {
        calls[i]!++;
        const orderId = call.request.order!.orderId;
        cb(null, fakeInvoice(orderId, `INV-2026-${i}${orderId.slice(-5)}`));
      };
    const replicas = [await fakeBilling(replica(0)), await fakeBilling(replica(1))];
    const stack = await orderWithFakeBilling({ billing: replicas });
    try {
      expect(stack.order.addresses.calls.billing).to.deep.equal(replicas.map((r) => r.address));
      for (let i = 0; i < 20; i++) expect((await stack.client.placeOrder(sampleOrder())).status).to.equal(OrderStatus.ORDER_STATUS_COMPLETED);
      expect(calls[0]! + calls[1]!).to.equal(20);
      expect(Math.min(...calls), `calls per replica: ${calls.join(", ")}`).to.be.at.least(5);
    } finally {
      await stack.close();
    }
  });
});
