import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Ledger } from "../../scripts/audit/ledger.js";
import { grpcConfig, type ServiceName } from "../../services/common/config.js";
import { createLogger } from "../../services/common/logger.js";
import type { RunningService } from "../../services/common/running-service.js";
import { GrpcWorkflowClient } from "../../services/grpc/workflow-client.js";
import { startGrpcService } from "../../services/grpc/start-service.js";
import { readFileSync } from "node:fs";
import type { CertificateSet } from "../../scripts/lib/certs.js";
import type { Logger } from "../../services/common/logger.js";
import { testCertificates, tlsEnv } from "./certs.js";
import type { Harness } from "./harness.js";

export interface GrpcStack {
  dataDir: string;
  services: Record<ServiceName, RunningService>;
  close(): Promise<void>;
}

export interface GrpcStackOptions {
  /** Mutual TLS: each service presents its own certificate from this set. */
  certs?: CertificateSet;
  /** Each service's logger (default: warnings and errors on stderr). */
  log?: (name: ServiceName) => Logger;
}

/** The three gRPC servers on free ports of 127.0.0.1, each with its own database in a temp dir. */
export async function startGrpcStack(env: Record<string, string> = {}, options: GrpcStackOptions = {}): Promise<GrpcStack> {
  const dataDir = await mkdtemp(join(tmpdir(), "gvn-grpc-"));
  const common = { DATA_DIR: dataDir, GRPC_LISTEN_ADDR: "127.0.0.1:0", LOG_LEVEL: "warn", SHUTDOWN_GRACE_MS: "2000", ...env };
  const log = options.log ?? ((name: ServiceName) => createLogger(`grpc:${name}`, "warn"));
  const certs = options.certs;
  const started: RunningService[] = [];
  const close = async () => {
    await Promise.all(started.map((s) => s.close()));
    await rm(dataDir, { recursive: true, force: true });
  };
  const start = async (name: ServiceName, env: Record<string, string | undefined>) => {
    const service = await startGrpcService(grpcConfig(name, {}, { ...env, ...(certs ? tlsEnv(certs, name) : {}) }), log(name));
    started.push(service);
    return service;
  };
  try {
    const billing = await start("billing", common);
    const notification = await start("notification", common);
    const order = await start("order", {
      ...common,
      BILLING_SERVICE_ADDR: billing.addresses.listens,
      NOTIFICATION_SERVICE_ADDR: notification.addresses.listens,
    });
    return { dataDir, services: { order, billing, notification }, close };
  } catch (err) {
    // Leave no server or data behind when the stack could not start.
    await close();
    throw err;
  }
}

/** PEM material for a client presenting `identity`'s certificate. */
export function clientTls(certs: CertificateSet, identity: string): { ca: Buffer; cert: Buffer; key: Buffer } {
  return { ca: readFileSync(certs.ca), cert: readFileSync(certs.files[identity]!.cert), key: readFileSync(certs.files[identity]!.key) };
}

/** The gRPC mode; `secure`: mutual TLS everywhere, the client presenting the `client` certificate. */
export async function makeGrpcHarness(options: { secure?: boolean } = {}): Promise<Harness> {
  const certs = options.secure ? testCertificates() : undefined;
  const stack = await startGrpcStack({}, { certs });
  const client = new GrpcWorkflowClient({ orderServiceAddr: stack.services.order.addresses.listens!, tls: certs && clientTls(certs, "client") });
  const ledger = new Ledger(stack.dataDir);
  return {
    client,
    ledger,
    capabilities: {
      rejectsAtPlacement: true,
      reportsIdempotencyConflicts: true,
      dropsDuplicatePublishes: false,
      deadLetters: false,
      transportCause: true,
    },
    async close() {
      await client.close();
      ledger.close();
      await stack.close();
    },
  };
}
