import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { grpcConfig, SERVICE_NAMES, type ServiceName } from "../../../services/common/config.js";
import { createLogger } from "../../../services/common/logger.js";
import type { RunningService } from "../../../services/common/running-service.js";
import { startGrpcService } from "../../../services/grpc/start-service.js";
import { identity } from "../identity.js";
import { loopbackHost } from "../loopback.js";
import { CAPABILITIES } from "./capabilities.js";
import { connectClient, type Stack, type StackOptions } from "./stack.js";

export interface GrpcInProcessStack extends Stack {
  readonly services: Record<ServiceName, RunningService>;
}

/** The three gRPC servers in this process, on free ports of 127.0.0.1, each with its own database. */
export async function startGrpcInProcess(options: StackOptions): Promise<GrpcInProcessStack> {
  const owned = options.dataDir === undefined;
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), "gvn-grpc-")));
  const common = { DATA_DIR: dataDir, GRPC_LISTEN_ADDR: "127.0.0.1:0", LOG_LEVEL: "warn", SHUTDOWN_GRACE_MS: "2000", ...options.env };
  const log = options.log ?? ((name: ServiceName) => createLogger(`grpc:${name}`, "warn"));
  const certs = options.secure;
  const identityOf = (name: string) => (certs ? identity(certs, name) : undefined);
  const host = loopbackHost(!!certs);
  const started: RunningService[] = [];
  const close = async () => {
    await Promise.all(started.splice(0).map((s) => s.close()));
    if (owned) await rm(dataDir, { recursive: true, force: true });
  };
  const start = async (name: ServiceName, env: Record<string, string>) => {
    const config = grpcConfig(name, {}, { ...env, ...options.serviceEnv?.[name], ...identityOf(name)?.env });
    const service = await startGrpcService(config, log(name));
    started.push(service);
    return service;
  };
  const port = (s: RunningService) => s.addresses.listens!.split(":").at(-1);
  try {
    const billing = await start("billing", common);
    const notification = await start("notification", common);
    const order = await start("order", {
      ...common,
      BILLING_SERVICE_ADDR: `${host}:${port(billing)}`,
      NOTIFICATION_SERVICE_ADDR: `${host}:${port(notification)}`,
    });
    const services = { order, billing, notification } satisfies Record<(typeof SERVICE_NAMES)[number], RunningService>;
    const entry = `${host}:${port(order)}`;
    return {
      mode: "grpc",
      dataDir,
      capabilities: CAPABILITIES.grpc,
      entry,
      services,
      identity: identityOf,
      connectClient: (as = "client") => connectClient("grpc", entry, identityOf(as)),
      close,
      [Symbol.asyncDispose]: close,
    };
  } catch (err) {
    // Leave no server or data behind when the stack could not start.
    await close();
    throw err;
  }
}
