import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { grpcConfig, SERVICE_NAMES, type ServiceName } from "../../services/common/config.js";
import { createLogger } from "../../services/common/logger.js";
import type { RunningService } from "../../services/common/running-service.js";
import { startGrpcService } from "../../services/grpc/start-service.js";
import { identity } from "../identity.js";
import { loopbackHost } from "../loopback.js";
import { CAPABILITIES } from "./capabilities.js";
import { inProcessControl } from "./in-process-control.js";
import { connectClient, type Stack, type StackOptions } from "./stack.js";

export interface GrpcInProcessStack extends Stack {
  /** Each service's server: the latest one started (one stopped through `control` stays here until started again). */
  readonly services: Record<ServiceName, RunningService>;
}

/**
 * The three gRPC servers in this process, on free ports of 127.0.0.1, each with its own database.
 * A service stopped through `control` comes back on the port it had, where the order service calls it.
 */
export async function startGrpcInProcess(options: StackOptions): Promise<GrpcInProcessStack> {
  const owned = options.dataDir === undefined;
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), "gvn-grpc-")));
  const common = { DATA_DIR: dataDir, LOG_LEVEL: "warn", SHUTDOWN_GRACE_MS: "2000", ...options.env };
  const log = options.log ?? ((name: ServiceName) => createLogger(`grpc:${name}`, "warn"));
  const certs = options.secure;
  const identityOf = (name: string) => (certs ? identity(certs, name) : undefined);
  const host = loopbackHost(!!certs);
  const services = {} as Record<ServiceName, RunningService>;
  const running = new Set<ServiceName>();
  /** Each service's environment, its listen port fixed once it first started. */
  const envs = new Map<ServiceName, Record<string, string>>();
  const start = async (name: ServiceName) => {
    const env = envs.get(name)!;
    const config = grpcConfig(name, {}, { ...env, ...options.serviceEnv?.[name], ...identityOf(name)?.env });
    const service = await startGrpcService(config, log(name));
    services[name] = service;
    running.add(name);
    env.GRPC_LISTEN_ADDR = `127.0.0.1:${port(service)}`;
  };
  const stop = async (name: ServiceName) => {
    if (running.delete(name)) await services[name].close();
  };
  const close = async () => {
    await Promise.all(SERVICE_NAMES.map(stop));
    if (owned) await rm(dataDir, { recursive: true, force: true });
  };
  const port = (s: RunningService) => s.addresses.listens!.split(":").at(-1);
  try {
    for (const name of ["billing", "notification"] as const) {
      envs.set(name, { ...common, GRPC_LISTEN_ADDR: "127.0.0.1:0" });
      await start(name);
    }
    envs.set("order", {
      ...common,
      GRPC_LISTEN_ADDR: "127.0.0.1:0",
      BILLING_SERVICE_ADDR: `${host}:${port(services.billing)}`,
      NOTIFICATION_SERVICE_ADDR: `${host}:${port(services.notification)}`,
    });
    await start("order");
    const entry = `${host}:${port(services.order)}`;
    return {
      mode: "grpc",
      dataDir,
      capabilities: CAPABILITIES.grpc,
      entry,
      services,
      identity: identityOf,
      connectClient: (as = "client") => connectClient("grpc", entry, identityOf(as)),
      control: inProcessControl({ start, stop }),
      close,
      [Symbol.asyncDispose]: close,
    };
  } catch (err) {
    // Leave no server or data behind when the stack could not start.
    await close();
    throw err;
  }
}
