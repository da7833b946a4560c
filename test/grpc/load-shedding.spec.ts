import { status } from "@grpc/grpc-js";
import { expect } from "chai";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseAddressList } from "../../services/common/address-list.js";
import { grpcConfig } from "../../services/common/config.js";
import { createLogger } from "../../services/common/logger.js";
import type { RunningService } from "../../services/common/running-service.js";
import { OverloadedError } from "../../services/domain/errors.js";
import { BillingServiceClient } from "../../services/gen/shop/v1/billing.js";
import { fakeBilling } from "../support/fake-billing.js";
import { OrderStatus } from "../../services/gen/shop/v1/order.js";
import { callUnary, createClient, DEFAULT_RETRY } from "../../services/grpc/channel.js";
import { GrpcWorkflowClient } from "../../services/grpc/grpc-workflow-client.js";
import { startGrpcService } from "../../services/grpc/start-grpc-service.js";
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
        const err = await callUnary(client.createInvoice.bind(client), { order: sampleOrder() }, { deadline: Date.now() + 10_000 }).catch((e: { code: number }) => e);
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
      held.push(() =>
        cb(null, {
          created: true,
          invoice: { invoiceNumber: `INV-2026-${String(++invoice).padStart(6, "0")}`, orderId: call.request.order!.orderId, customerName: "", customerEmail: "", lines: [], totalMinor: 0n, currency: "EUR", issuedAtMs: 0n, documentPath: "" },
        }),
      );
    });
    const dataDir = await mkdtemp(join(tmpdir(), "gvn-shed-"));
    const log = createLogger("grpc", "error");
    const env = { DATA_DIR: dataDir, GRPC_LISTEN_ADDR: "127.0.0.1:0", SHUTDOWN_GRACE_MS: "1000" };
    const services: RunningService[] = [];
    try {
      const notification = await startGrpcService(grpcConfig("notification", {}, env), log);
      services.push(notification);
      const order = await startGrpcService(
        grpcConfig("order", {}, { ...env, GRPC_MAX_IN_FLIGHT: "5", BILLING_SERVICE_ADDR: billing.address, NOTIFICATION_SERVICE_ADDR: notification.addresses.listens! }),
        log,
      );
      services.push(order);
      const client = new GrpcWorkflowClient({ orderServiceAddr: order.addresses.listens! });
      try {
        const outcomes: Array<unknown> = [];
        const calls = Array.from({ length: 20 }, () =>
          client.placeOrder(sampleOrder()).then(
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
        await client.close();
      }
    } finally {
      for (const s of services) await s.close();
      billing.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
