import { expect } from "chai";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { grpcConfig } from "../../services/common/config.js";
import { createLogger } from "../../services/common/logger.js";
import type { RunningService } from "../../services/common/running-service.js";
import { OrderStatus } from "../../services/gen/shop/v1/order.js";
import { GrpcWorkflowClient } from "../../services/grpc/grpc-workflow-client.js";
import { startGrpcService } from "../../services/grpc/start-grpc-service.js";
import { fakeBilling, type CreateInvoiceHandler } from "../support/fake-billing.js";
import { sampleOrder } from "../support/orders.js";

describe("gRPC replicas from a comma-separated address list", function () {
  this.timeout(60_000);

  it("balances billing calls round_robin over every listed replica", async () => {
    const calls = [0, 0];
    const replica = (i: number): CreateInvoiceHandler => (call, cb) => {
      calls[i]!++;
      const orderId = call.request.order!.orderId;
      cb(null, { created: true, invoice: { invoiceNumber: `INV-2026-${i}${orderId.slice(-5)}`, orderId, customerName: "", customerEmail: "", lines: [], totalMinor: 0n, currency: "EUR", issuedAtMs: 0n, documentPath: "" } });
    };
    const replicas = [await fakeBilling(replica(0)), await fakeBilling(replica(1))];
    const dataDir = await mkdtemp(join(tmpdir(), "gvn-replicas-"));
    const env = { DATA_DIR: dataDir, GRPC_LISTEN_ADDR: "127.0.0.1:0", SHUTDOWN_GRACE_MS: "500" };
    const log = createLogger("grpc", "error");
    const services: RunningService[] = [];
    try {
      const notification = await startGrpcService(grpcConfig("notification", {}, env), log);
      services.push(notification);
      const order = await startGrpcService(
        grpcConfig("order", {}, { ...env, BILLING_SERVICE_ADDR: replicas.map((r) => r.address).join(","), NOTIFICATION_SERVICE_ADDR: notification.addresses.listens! }),
        log,
      );
      services.push(order);
      expect(order.addresses.calls.billing).to.deep.equal(replicas.map((r) => r.address));
      const client = new GrpcWorkflowClient({ orderServiceAddr: order.addresses.listens! });
      try {
        for (let i = 0; i < 20; i++) expect((await client.placeOrder(sampleOrder())).status).to.equal(OrderStatus.ORDER_STATUS_COMPLETED);
      } finally {
        await client.close();
      }
      expect(calls[0]! + calls[1]!).to.equal(20);
      expect(Math.min(...calls), `calls per replica: ${calls.join(", ")}`).to.be.at.least(5);
    } finally {
      for (const s of services) await s.close();
      replicas.forEach((r) => r.close());
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
