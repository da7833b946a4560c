import { expect } from "chai";
import { DependencyUnavailableError } from "../../services/domain/errors.js";
import { OrderStatus } from "../../services/gen/shop/v1/order.js";
import { GrpcWorkflowClient } from "../../services/grpc/workflow-client.js";
import { eventually } from "../support/eventually.js";
import { fakeBilling, fakeInvoice, orderWithFakeBilling } from "../support/fake-billing.js";
import { sampleOrder } from "../support/orders.js";

describe("gRPC ordered shutdown", function () {
  this.timeout(60_000);

  it("stops taking calls, lets the call in flight finish, then closes", async () => {
    let release!: () => void;
    let held = false;
    const billing = await fakeBilling((call, cb) => {
      held = true;
      release = () => cb(null, fakeInvoice(call.request.order!.orderId, "INV-2026-000001"));
    });
    const stack = await orderWithFakeBilling({ billing: [billing], env: { SHUTDOWN_GRACE_MS: "20000" } });
    const late = new GrpcWorkflowClient({ orderServiceAddr: stack.order.addresses.listens! });
    try {
      const inFlight = stack.client.placeOrder(sampleOrder());
      await eventually("the call to reach billing", () => (held ? true : undefined));
      let closed = false;
      const closing = stack.order.close().then(() => (closed = true));

      // A new connection is refused while the old call is still running.
      const refused = await late.placeOrder(sampleOrder()).catch((e: unknown) => e);
      expect(refused).to.be.instanceOf(DependencyUnavailableError);
      expect(closed).to.equal(false);

      release();
      expect((await inFlight).status).to.equal(OrderStatus.ORDER_STATUS_COMPLETED);
      await closing;
      expect(closed).to.equal(true);
    } finally {
      await late.close();
      await stack.close();
    }
  });
});
