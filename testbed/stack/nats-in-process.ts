import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { natsConfig, SERVICE_NAMES, type ServiceName } from "../../services/common/config.js";
import { createLogger } from "../../services/common/logger.js";
import type { RunningService } from "../../services/common/running-service.js";
import { startNatsService } from "../../services/nats/start-service.js";
import { identity } from "../identity.js";
import type { ManagedNatsServer } from "../nats-server.js";
import { startBroker } from "./brokers.js";
import { inProcessControl } from "./in-process-control.js";
import { CAPABILITIES } from "./capabilities.js";
import { connectClient, type Stack, type StackOptions } from "./stack.js";

export interface NatsInProcessStack extends Stack {
  /** The broker: one server, or the first node of a cluster. */
  readonly server: ManagedNatsServer;
  /** Every broker node (one without a cluster). */
  readonly nodes: ManagedNatsServer[];
  readonly services: Map<ServiceName, RunningService>;
}

/**
 * A private broker (one nats-server, or a JetStream cluster; free ports, temp store) and the three
 * services in this process, each with its own database. Secure: NKeys with least privilege over
 * mutual TLS, every stream provisioned as admin.
 */
export async function startNatsInProcess(options: StackOptions): Promise<NatsInProcessStack> {
  const owned = options.dataDir === undefined;
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), "gvn-nats-")));
  const base = { DATA_DIR: dataDir, SHUTDOWN_GRACE_MS: "2000", NATS_ACK_WAIT_MS: "5000", ...options.env };
  const certs = options.secure;
  const broker = await startBroker({
    dataDir,
    cluster: options.cluster,
    secure: certs,
    sync: options.sync,
    natsServer: options.natsServer,
    net: options.net,
    env: base,
  });
  const common = { ...broker.serviceEnv, ...base };
  const url = broker.url;
  const nodes = [...broker.nodes.values()];
  const identityOf = (name: string) => (certs ? identity(certs, name, broker.files?.seeds) : undefined);
  const log = options.log ?? ((name: ServiceName) => createLogger(`nats:${name}`, "error"));
  const services = new Map<ServiceName, RunningService>();
  const start = async (name: ServiceName) => {
    const env = { ...common, NATS_URL: url, ...options.serviceEnv?.[name], ...identityOf(name)?.env };
    services.set(name, await startNatsService(natsConfig(name, {}, env), log(name)));
  };
  const stop = async (name: ServiceName) => {
    const service = services.get(name);
    services.delete(name);
    await service?.close();
  };
  const close = async () => {
    for (const name of [...services.keys()]) await stop(name);
    await broker.stop();
    if (owned) await rm(dataDir, { recursive: true, force: true });
  };
  const stack: NatsInProcessStack = {
    mode: "nats",
    dataDir,
    capabilities: CAPABILITIES.nats,
    entry: url,
    server: nodes[0]!,
    nodes,
    services,
    identity: identityOf,
    connectClient: (as = "client") => connectClient("nats", url, identityOf(as)),
    control: inProcessControl({ start, stop }, broker.nodes),
    close,
    [Symbol.asyncDispose]: close,
  };
  // All three at once: provisioning must be safe when services race to create the streams.
  const started = await Promise.allSettled(SERVICE_NAMES.map(start));
  const failed = started.find((r) => r.status === "rejected");
  if (failed) {
    // Leave no broker or data behind when the stack could not start.
    await close();
    throw failed.reason;
  }
  return stack;
}
