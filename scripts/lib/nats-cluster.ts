import { mkdirSync } from "node:fs";
import { connect } from "nats";
import { join } from "node:path";
import { freePorts } from "./free-port.js";
import { loopbackHost } from "./loopback.js";
import type { LabNet } from "./net/lab-net.js";
import { credentialOptions } from "../../services/nats/connection.js";
import type { CertificateSet } from "./certs.js";
import { identity } from "./identity.js";
import { startNatsServer, waitForJetStream, type ManagedNatsServer } from "./nats-server.js";
import { writeNatsConfig, type NatsSync, type SecureNatsFiles } from "./nats-config.js";

/** Which node leads `stream` as the node at `url` sees it; undefined while none does, or when that node cannot say. */
export async function streamLeaderSeenAt(url: string, stream: string, timeoutMs = 1_000): Promise<string | undefined> {
  const nc = await connect({ servers: url, timeout: timeoutMs, reconnect: false }).catch(() => undefined);
  if (!nc) return undefined;
  try {
    const jsm = await nc.jetstreamManager({ timeout: timeoutMs });
    return (await jsm.streams.info(stream)).cluster?.leader || undefined;
  } catch {
    return undefined;
  } finally {
    await nc.close();
  }
}

export interface ManagedNatsCluster {
  /** Every node's client URL, comma-separated: what the services are given as NATS_URL. */
  url: string;
  nodes: ManagedNatsServer[];
  /** The secure profile: the first node's config and the seeds every node shares. */
  files?: SecureNatsFiles;
  /** Waits until JetStream has a meta leader and answers (after a start or a node's restart). */
  waitForMetaLeader(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A local JetStream cluster of `size` nats-servers on free ports of 127.0.0.1:
 * each with its server_name, its own store under `dir`, JetStream on, and
 * routes to every other node (what 2.9 needs to cluster JetStream).
 * With `secure`: each node from a config of writeNatsConfig (as the compose file's nodes), with the
 * same NKey users, mutual TLS for clients, and the checks made as admin.
 */
export async function startNatsCluster(options: {
  dir: string;
  size?: number;
  name?: string;
  onOutput?: (node: string, line: string) => void;
  sync?: NatsSync;
  secure?: CertificateSet;
  /** Each node on its own host of this lab network (n1, n2, …; added when missing), so that links between them can be cut. */
  net?: LabNet;
}): Promise<ManagedNatsCluster> {
  const size = options.size ?? 3;
  const name = options.name ?? "shop";
  const net = options.net;
  if (net && options.secure) throw new Error("a secure cluster on the lab network is not supported yet");
  // On the lab network every node is a host of its own, so the same ports serve them all.
  const ports = net ? [...Array<number>(size).fill(14222), ...Array<number>(size).fill(16222), ...Array<number>(size).fill(18222)] : await freePorts(3 * size);
  const clientPorts = ports.slice(0, size);
  const routePorts = ports.slice(size, 2 * size);
  const monitorPorts = ports.slice(2 * size);
  const hostOf = (i: number) => (net ? net.ensureHost(`n${i + 1}`).address : "127.0.0.1");
  const routes = routePorts.map((p, i) => `nats://${hostOf(i)}:${p}`).join(",");
  const nodes: ManagedNatsServer[] = [];
  const certs = options.secure;
  const configs = certs
    ? clientPorts.map((port, i) =>
        writeNatsConfig({
          out: join(options.dir, "secure"),
          confName: `n${i + 1}.conf`,
          storeDir: join(options.dir, `n${i + 1}`),
          port,
          monitorPort: monitorPorts[i],
          tlsDir: certs.dir,
          cluster: { serverName: `n${i + 1}`, name, port: routePorts[i]!, routes: routePorts.map((p) => `nats-route://127.0.0.1:${p}`) },
          sync: options.sync,
        }),
      )
    : undefined;
  const admin = certs && configs ? credentialOptions(identity(certs, "admin", configs[0]!.seeds).nats()) : {};
  // The nodes start together: JetStream waits for a quorum of its peers before it answers.
  const started = await Promise.allSettled(
    clientPorts.map((port, i) => {
      const node = `n${i + 1}`;
      const storeDir = join(options.dir, node);
      mkdirSync(storeDir, { recursive: true });
      const onOutput = options.onOutput && ((line: string) => options.onOutput!(node, line));
      if (configs)
        return startNatsServer({ storeDir, port, secure: { configFile: configs[i]!.confFile, monitorPort: monitorPorts[i]!, connect: admin }, onOutput });
      return startNatsServer({
        storeDir,
        port,
        monitorPort: monitorPorts[i],
        sync: options.sync,
        extraArgs: ["--server_name", node, "--cluster_name", name, "--cluster", `nats://${hostOf(i)}:${routePorts[i]}`, "--routes", routes],
        on: net && { exec: net.exec(node), address: hostOf(i) },
        onOutput,
      });
    }),
  );
  for (const r of started) if (r.status === "fulfilled") nodes.push(r.value);
  const url = clientPorts.map((p, i) => `nats://${net ? hostOf(i) : loopbackHost(!!certs)}:${p}`).join(",");
  const cluster: ManagedNatsCluster = {
    url,
    nodes,
    files: configs?.[0],
    waitForMetaLeader: (timeoutMs = 30_000) => waitForJetStream(url, timeoutMs, admin),
    async stop() {
      await Promise.all(nodes.map((n) => n.stop()));
    },
  };
  const failed = started.find((r) => r.status === "rejected");
  if (failed) {
    await cluster.stop();
    throw failed.reason;
  }
  await cluster.waitForMetaLeader();
  return cluster;
}
