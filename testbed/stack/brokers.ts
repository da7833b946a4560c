import { join } from "node:path";
import type { CertificateSet } from "../certs.js";
import { identity } from "../identity.js";
import type { NatsSync, SecureNatsFiles } from "../nats-config.js";
import { startNatsCluster, type ManagedNatsCluster } from "../nats-cluster.js";
import { startNatsServer, type ManagedNatsServer } from "../nats-server.js";
import type { LabNet } from "../net/lab-net.js";
import { provisionAsAdmin, startSecureNats } from "../secure-nats.js";

export interface BrokerOptions {
  /** The stores, configs and seeds go under this folder: nats/ (one server), nats-secure/, cluster/. */
  dataDir: string;
  /** More than 1: a JetStream cluster of this many nodes, every stream with as many replicas (up to 3). */
  cluster?: number;
  /** The secure profile: NKey users with least privilege over mutual TLS, every stream provisioned as admin. */
  secure?: CertificateSet;
  sync?: NatsSync;
  /** The binary (default: the newest there is) and, in the secure profile, its feature flags. */
  natsServer?: { binary?: string; featureFlags?: Record<string, boolean> };
  /** A cluster's nodes on hosts n1, n2, … of this lab network. */
  net?: LabNet;
  /** A single plain broker on this host of the lab network (its command prefix and address). */
  on?: { exec: string[]; address: string };
  /** A cluster's routes through links of this delay (ManagedNatsCluster.routeLinks). */
  routeLinks?: { delayMs?: number; jitterMs?: number };
  /** A single plain broker's port when free (start:nats: 4222), else any free one. */
  preferPort?: number;
  /** The topology settings the streams are provisioned with in the secure profile (NATS_ACK_WAIT_MS, …). */
  env?: Record<string, string | undefined>;
  onOutput?: (node: string, line: string) => void;
}

/** A private broker: one nats-server or a cluster, in whichever profile. */
export interface Broker {
  /** What the services are given as NATS_URL: every node's URL, comma-separated. */
  url: string;
  /** Every node, by name: "broker" for one server, "n1", "n2", … for a cluster. */
  nodes: Map<string, ManagedNatsServer>;
  /** The secure profile's config and the seeds every identity connects with. */
  files?: SecureNatsFiles;
  cluster?: ManagedNatsCluster;
  /** What every service needs beyond NATS_URL: NATS_STREAM_REPLICAS on a cluster. */
  serviceEnv: Record<string, string>;
  stop(): Promise<void>;
}

/**
 * Starts the broker a NATS stack or `start:nats` runs on: one nats-server (plain or secure) or a
 * JetStream cluster (plain or secure), fails leaving nothing behind, and provisions the streams as
 * admin where the services may not.
 */
export async function startBroker(o: BrokerOptions): Promise<Broker> {
  const size = o.cluster ?? 1;
  if (size > 1) {
    const cluster = await startNatsCluster({
      dir: join(o.dataDir, "cluster"),
      size,
      sync: o.sync,
      secure: o.secure,
      net: o.net,
      routeLinks: o.routeLinks,
      binary: o.natsServer?.binary,
      onOutput: o.onOutput,
    });
    const serviceEnv = { NATS_STREAM_REPLICAS: String(Math.min(3, size)) };
    if (o.secure && cluster.files)
      await provisionAsAdmin(cluster.url, identity(o.secure, "admin", cluster.files.seeds).nats(), { ...serviceEnv, ...o.env }).catch(async (err: unknown) => {
        await cluster.stop();
        throw err;
      });
    const nodes = new Map(cluster.nodes.map((n, i) => [`n${i + 1}`, n]));
    return { url: cluster.url, nodes, files: cluster.files, cluster, serviceEnv, stop: () => cluster.stop() };
  }
  const onOutput = o.onOutput && ((line: string) => o.onOutput!("broker", line));
  if (o.secure) {
    const { server, files } = await startSecureNats(join(o.dataDir, "nats-secure"), o.secure, o.env, o.sync, o.natsServer);
    return { url: server.url, nodes: new Map([["broker", server]]), files, serviceEnv: {}, stop: () => server.stop() };
  }
  const server = await startNatsServer({
    storeDir: join(o.dataDir, "nats"),
    sync: o.sync,
    binary: o.natsServer?.binary,
    preferPort: o.preferPort,
    onOutput,
    // On its own host every port is free: the one nats-server uses by default.
    ...(o.on && { port: 4222, on: o.on }),
  });
  return { url: server.url, nodes: new Map([["broker", server]]), serviceEnv: {}, stop: () => server.stop() };
}
