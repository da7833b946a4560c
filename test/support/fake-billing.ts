import { Server, ServerCredentials, status, type sendUnaryData, type ServerUnaryCall } from "@grpc/grpc-js";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { grpcConfig } from "../../services/common/config.js";
import { createLogger } from "../../services/common/logger.js";
import type { RunningService } from "../../services/common/running-service.js";
import type { CreateInvoiceRequest, CreateInvoiceResponse } from "../../services/gen/shop/v1/billing.js";
import { BillingServiceService } from "../../services/gen/shop/v1/billing_service.js";
import { startGrpcService } from "../../services/grpc/start-service.js";
import { GrpcWorkflowClient } from "../../services/grpc/workflow-client.js";

export type CreateInvoiceHandler = (call: ServerUnaryCall<CreateInvoiceRequest, CreateInvoiceResponse>, cb: sendUnaryData<CreateInvoiceResponse>) => void;

/** A billing stand-in whose answers the test decides, to watch what its callers do. */
export async function fakeBilling(handler: CreateInvoiceHandler): Promise<{ address: string; close(): void }> {
  const server = new Server();
  server.addService(BillingServiceService, {
    createInvoice: handler,
    getInvoice: (_c: unknown, cb: sendUnaryData<unknown>) => cb({ code: status.UNIMPLEMENTED }),
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
  );
  return { address: `127.0.0.1:${port}`, close: () => server.forceShutdown() };
}

/** A minimal invoice answer for a fake billing. */
export function fakeInvoice(orderId: string, invoiceNumber: string): CreateInvoiceResponse {
  return {
    created: true,
    invoice: { invoiceNumber, orderId, customerName: "", customerEmail: "", lines: [], totalMinor: 0n, currency: "EUR", issuedAtMs: 0n, documentPath: "" },
  };
}

export interface FakeBillingStack {
  dataDir: string;
  order: RunningService;
  client: GrpcWorkflowClient;
  /** Stops whatever is still running and removes the data. */
  close(): Promise<void>;
}

export interface FakeBillingOptions {
  /** Billing replicas: the order service gets their addresses as one list. */
  billing: Array<{ address: string; close(): void }>;
  /** Extra settings for the order service (GRPC_MAX_IN_FLIGHT, GRPC_DEADLINE_MS, ...). */
  env?: Record<string, string>;
  /** false: no notification service (the test never gets that far); its address then leads nowhere. */
  notification?: boolean;
  clientDeadlineMs?: number;
}

/**
 * A real order service (and notification service) on free ports with a temp
 * data folder, calling fake billing replicas, and a client for it: the
 * fixture of the gRPC specs that watch how the order service treats billing.
 */
export async function orderWithFakeBilling(o: FakeBillingOptions): Promise<FakeBillingStack> {
  const dataDir = await mkdtemp(join(tmpdir(), "gvn-fake-billing-"));
  const env = { DATA_DIR: dataDir, GRPC_LISTEN_ADDR: "127.0.0.1:0", SHUTDOWN_GRACE_MS: "1000", ...o.env };
  const log = createLogger("grpc", "error");
  const services: RunningService[] = [];
  let client: GrpcWorkflowClient | undefined;
  const close = async () => {
    await client?.close();
    for (const s of services.splice(0).reverse()) await s.close();
    o.billing.forEach((b) => b.close());
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    const notification = o.notification === false ? undefined : await startGrpcService(grpcConfig("notification", {}, env), log);
    if (notification) services.push(notification);
    const order = await startGrpcService(
      grpcConfig(
        "order",
        {},
        {
          ...env,
          BILLING_SERVICE_ADDR: o.billing.map((b) => b.address).join(","),
          NOTIFICATION_SERVICE_ADDR: notification?.addresses.listens ?? "127.0.0.1:1",
        },
      ),
      log,
    );
    services.push(order);
    client = new GrpcWorkflowClient({ orderServiceAddr: order.addresses.listens!, deadlineMs: o.clientDeadlineMs ?? 10_000 });
    return { dataDir, order, client, close };
  } catch (err) {
    await close();
    throw err;
  }
}
