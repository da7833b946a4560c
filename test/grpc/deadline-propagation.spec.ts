import { expect } from "chai";
import { DeadlineError } from "../../services/domain/errors.js";
import { eventually } from "../support/eventually.js";
import { fakeBilling, orderWithFakeBilling } from "../support/fake-billing.js";
import { sampleOrder } from "../support/orders.js";

describe("gRPC deadlines", function () {
  this.timeout(60_000);

  it("passes the caller's deadline down to billing and cancels billing's call when it expires", async () => {
    let seenDeadline = 0;
    let cancelled = false;
    const billing = await fakeBilling((call) => {
      const d = call.getDeadline();
      seenDeadline = d instanceof Date ? d.getTime() : Number(d);
      call.on("cancelled", () => (cancelled = true));
      // Never answers: only the deadline ends this call.
    });
    const stack = await orderWithFakeBilling({ billing: [billing], notification: false, env: { GRPC_DEADLINE_MS: "60000" }, clientDeadlineMs: 800 });
    try {
      const sentAt = Date.now();
      const err = await stack.client.placeOrder(sampleOrder()).catch((e: unknown) => e);
      expect(err).to.be.instanceOf(DeadlineError);
      // The order service's own budget is 60 s; billing got the client's 800 ms instead
      // (plus whatever time the request spent waiting in busy event loops on the way).
      expect(seenDeadline).to.be.within(sentAt, sentAt + 800 + 1_000);
      await eventually("billing's call to be cancelled", () => (cancelled ? true : undefined));
    } finally {
      await stack.close();
    }
  });
});
