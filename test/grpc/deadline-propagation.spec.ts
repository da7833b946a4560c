import { expect } from "chai";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { grpcConfig } from "../../services/common/config.js";
import { createLogger } from "../../services/common/logger.js";
import { DeadlineError } from "../../services/domain/errors.js";
import { GrpcWorkflowClient } from "../../services/grpc/grpc-workflow-client.js";
import { startGrpcService } from "../../services/grpc/start-grpc-service.js";
import { eventually } from "../support/eventually.js";
import { fakeBilling } from "../support/fake-billing.js";
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
    const dataDir = await mkdtemp(join(tmpdir(), "gvn-deadline-"));
    const env = { DATA_DIR: dataDir, GRPC_LISTEN_ADDR: "127.0.0.1:0", SHUTDOWN_GRACE_MS: "500", GRPC_DEADLINE_MS: "60000" };
    const order = await startGrpcService(
      grpcConfig("order", {}, { ...env, BILLING_SERVICE_ADDR: billing.address, NOTIFICATION_SERVICE_ADDR: "127.0.0.1:1" }),
      createLogger("grpc", "error"),
    );
    const client = new GrpcWorkflowClient({ orderServiceAddr: order.addresses.listens!, deadlineMs: 800 });
    try {
      const sentAt = Date.now();
      const err = await client.placeOrder(sampleOrder()).catch((e: unknown) => e);
      expect(err).to.be.instanceOf(DeadlineError);
      // The order service's own budget is 60 s; billing got the client's 800 ms instead
      // (plus whatever time the request spent waiting in busy event loops on the way).
      expect(seenDeadline).to.be.within(sentAt, sentAt + 800 + 1_000);
      await eventually("billing's call to be cancelled", () => (cancelled ? true : undefined));
    } finally {
      await client.close();
      await order.close();
      billing.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
