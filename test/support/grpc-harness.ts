import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Ledger } from "../../services/audit/ledger.js";
import { grpcConfig, type ServiceName } from "../../services/common/config.js";
import { createLogger } from "../../services/common/logger.js";
import type { RunningService } from "../../services/common/running-service.js";
import { GrpcWorkflowClient } from "../../services/grpc/workflow-client.js";
import { startGrpcService } from "../../services/grpc/start-service.js";
import type { Harness } from "./harness.js";

export interface GrpcStack {
  dataDir: string;
  services: Record<ServiceName, RunningService>;
  close(): Promise<void>;
}

/** The three gRPC servers on free ports of 127.0.0.1, each with its own database in a temp dir. */
export async function startGrpcStack(env: Record<string, string> = {}): Promise<GrpcStack> {
  const dataDir = await mkdtemp(join(tmpdir(), "gvn-grpc-"));
  const base = { DATA_DIR: dataDir, GRPC_LISTEN_ADDR: "127.0.0.1:0", LOG_LEVEL: "warn", SHUTDOWN_GRACE_MS: "2000", ...env };
  const log = (name: string) => createLogger(`grpc:${name}`, "warn");
  const started: RunningService[] = [];
  const close = async () => {
    await Promise.all(started.map((s) => s.close()));
    await rm(dataDir, { recursive: true, force: true });
  };
  const start = async (name: ServiceName, env: Record<string, string | undefined>) => {
    const service = await startGrpcService(grpcConfig(name, {}, env), log(name));
    started.push(service);
    return service;
  };
  try {
    const billing = await start("billing", base);
    const notification = await start("notification", base);
    const order = await start("order", { ...base, BILLING_SERVICE_ADDR: billing.addresses.listens, NOTIFICATION_SERVICE_ADDR: notification.addresses.listens });
    return { dataDir, services: { order, billing, notification }, close };
  } catch (err) {
    // Leave no server or data behind when the stack could not start.
    await close();
    throw err;
  }
}

export async function makeGrpcHarness(): Promise<Harness> {
  const stack = await startGrpcStack();
  const client = new GrpcWorkflowClient({ orderServiceAddr: stack.services.order.addresses.listens! });
  const ledger = new Ledger(stack.dataDir);
  return {
    client,
    ledger,
    capabilities: {
      rejectsAtPlacement: true,
      reportsIdempotencyConflicts: true,
      dropsDuplicatePublishes: false,
      deadLetters: false,
    },
    async close() {
      await client.close();
      ledger.close();
      await stack.close();
    },
  };
}
