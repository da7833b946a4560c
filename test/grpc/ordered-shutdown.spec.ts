import { expect } from "chai";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { grpcConfig } from "../../services/common/config.js";
import { createLogger } from "../../services/common/logger.js";
import { DependencyUnavailableError } from "../../services/domain/errors.js";
import { OrderStatus } from "../../services/gen/shop/v1/order.js";
import { GrpcWorkflowClient } from "../../services/grpc/grpc-workflow-client.js";
import { startGrpcService } from "../../services/grpc/start-grpc-service.js";
import { eventually } from "../support/eventually.js";
import { fakeBilling } from "../support/fake-billing.js";
import { sampleOrder } from "../support/orders.js";

describe("gRPC ordered shutdown", function () {
  this.timeout(60_000);

  it("stops taking calls, lets the call in flight finish, then closes", async () => {
    let release!: () => void;
    let held = false;
    const billing = await fakeBilling((call, cb) => {
      held = true;
      const orderId = call.request.order!.orderId;
      release = () => cb(null, { created: true, invoice: { invoiceNumber: "INV-2026-000001", orderId, customerName: "", customerEmail: "", lines: [], totalMinor: 0n, currency: "EUR", issuedAtMs: 0n, documentPath: "" } });
    });
    const dataDir = await mkdtemp(join(tmpdir(), "gvn-shutdown-"));
    const env = { DATA_DIR: dataDir, GRPC_LISTEN_ADDR: "127.0.0.1:0", SHUTDOWN_GRACE_MS: "20000" };
    const log = createLogger("grpc", "error");
    const notification = await startGrpcService(grpcConfig("notification", {}, env), log);
    const order = await startGrpcService(
      grpcConfig("order", {}, { ...env, BILLING_SERVICE_ADDR: billing.address, NOTIFICATION_SERVICE_ADDR: notification.addresses.listens! }),
      log,
    );
    const client = new GrpcWorkflowClient({ orderServiceAddr: order.addresses.listens! });
    const late = new GrpcWorkflowClient({ orderServiceAddr: order.addresses.listens! });
    try {
      const inFlight = client.placeOrder(sampleOrder());
      await eventually("the call to reach billing", () => (held ? true : undefined));
      let closed = false;
      const closing = order.close().then(() => (closed = true));

      // A new connection is refused while the old call is still running.
      const refused = await late.placeOrder(sampleOrder()).catch((e: unknown) => e);
      expect(refused).to.be.instanceOf(DependencyUnavailableError);
      expect(closed).to.equal(false);

      release();
      expect((await inFlight).status).to.equal(OrderStatus.ORDER_STATUS_COMPLETED);
      await closing;
      expect(closed).to.equal(true);
    } finally {
      await client.close();
      await late.close();
      await notification.close();
      billing.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
