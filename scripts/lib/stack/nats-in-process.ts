import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { natsConfig, SERVICE_NAMES, type ServiceName } from "../../../services/common/config.js";
import { createLogger } from "../../../services/common/logger.js";
import type { RunningService } from "../../../services/common/running-service.js";
import { startNatsService } from "../../../services/nats/start-service.js";
import { identity } from "../identity.js";
import { startNatsCluster } from "../nats-cluster.js";
import type { SecureNatsFiles } from "../nats-config.js";
import { startNatsServer, type ManagedNatsServer } from "../nats-server.js";
import { provisionAsAdmin, startSecureNats } from "../secure-nats.js";
import { CAPABILITIES } from "./capabilities.js";
import { connectClient, type Stack, type StackOptions } from "./stack.js";

export interface NatsInProcessStack extends Stack {
  /** The broker: one server, or the first node of a cluster. */
  readonly server: ManagedNatsServer;
  /** Every broker node (one without a cluster). */
  readonly nodes: ManagedNatsServer[];
  readonly services: Map<ServiceName, RunningService>;
  /** Starts (again) one service in this process. */
  start(name: ServiceName): Promise<void>;
  /** Stops one service with its ordered shutdown. */
  stop(name: ServiceName): Promise<void>;
}

/**
 * A private broker (one nats-server, or a JetStream cluster; free ports, temp store) and the three
 * services in this process, each with its own database. Secure: NKeys with least privilege over
 * mutual TLS, every stream provisioned as admin.
 */
export async function startNatsInProcess(options: StackOptions): Promise<NatsInProcessStack> {
  const owned = options.dataDir === undefined;
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), "gvn-nats-")));
  const size = options.cluster ?? 1;
  const replicas = size > 1 ? { NATS_STREAM_REPLICAS: String(Math.min(3, size)) } : {};
  const common = { DATA_DIR: dataDir, SHUTDOWN_GRACE_MS: "2000", NATS_ACK_WAIT_MS: "5000", ...replicas, ...options.env };
  const certs = options.secure;
  let nodes: ManagedNatsServer[];
  let files: SecureNatsFiles | undefined;
  let url: string;
  if (size > 1) {
    const cluster = await startNatsCluster({
      dir: join(dataDir, "nats"),
      size,
      sync: options.sync,
      secure: certs,
      net: options.net,
      binary: options.natsServer?.binary,
    });
    ({ nodes, url, files } = cluster);
    if (certs && files)
      await provisionAsAdmin(url, identity(certs, "admin", files.seeds).nats(), common).catch(async (err: unknown) => {
        await cluster.stop();
        throw err;
      });
  } else if (certs) {
    const secured = await startSecureNats(join(dataDir, "nats"), certs, common, options.sync, options.natsServer);
    ({ files } = secured);
    nodes = [secured.server];
    url = secured.server.url;
  } else {
    const server = await startNatsServer({ storeDir: join(dataDir, "nats"), sync: options.sync, binary: options.natsServer?.binary });
    nodes = [server];
    url = server.url;
  }
  const identityOf = (name: string) => (certs ? identity(certs, name, files?.seeds) : undefined);
  const log = options.log ?? ((name: ServiceName) => createLogger(`nats:${name}`, "error"));
  const services = new Map<ServiceName, RunningService>();
  const close = async () => {
    for (const name of [...services.keys()]) await stack.stop(name);
    await Promise.all(nodes.map((n) => n.stop()));
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
    async start(name) {
      const env = { ...common, NATS_URL: url, ...options.serviceEnv?.[name], ...identityOf(name)?.env };
      services.set(name, await startNatsService(natsConfig(name, {}, env), log(name)));
    },
    async stop(name) {
      await services.get(name)?.close();
      services.delete(name);
    },
    close,
    [Symbol.asyncDispose]: close,
  };
  // All three at once: provisioning must be safe when services race to create the streams.
  const started = await Promise.allSettled(SERVICE_NAMES.map((n) => stack.start(n)));
  const failed = started.find((r) => r.status === "rejected");
  if (failed) {
    // Leave no broker or data behind when the stack could not start.
    await close();
    throw failed.reason;
  }
  return stack;
}
