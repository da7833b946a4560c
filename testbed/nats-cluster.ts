import { mkdirSync, rmSync } from "node:fs";
import { connect } from "nats";
import { join } from "node:path";
import { freePorts } from "./free-port.js";
import { loopbackHost } from "./loopback.js";
import type { LabNet } from "./net/lab-net.js";
import { startLink, type Link } from "./net/link.js";
import { credentialOptions } from "../services/nats/connection.js";
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
  /** The route links, one in front of each node's route port (options.routeLinks), by node: "routes-n1", … */
  routeLinks: Map<string, Link>;
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
async function startNatsClusterOnce(options: {
  dir: string;
  size?: number;
  name?: string;
  onOutput?: (node: string, line: string) => void;
  sync?: NatsSync;
  secure?: CertificateSet;
  /** The nats-server binary every node runs (default: ensureNatsServer()). */
  binary?: string;
  /** Each node on its own host of this lab network (n1, n2, …; added when missing), so that links between them can be cut. */
  net?: LabNet;
  /**
   * Node-to-node routes through links with this one-way delay: each node's route port behind a
   * link of its own, which the other nodes are given as routes and which it advertises, so that
   * routes learnt from gossip cross it too.
   */
  routeLinks?: { delayMs?: number; jitterMs?: number };
}): Promise<ManagedNatsCluster> {
  const size = options.size ?? 3;
  const name = options.name ?? "shop";
  const net = options.net;
  if (net && options.secure) throw new Error("a secure cluster on the lab network is not supported yet");
  // A cut between two lab hosts drops their addresses; a route through a link on the main host would go round it.
  if (net && options.routeLinks) throw new Error("routeLinks: route links run on the loopback, where the lab network's cuts would not reach them");
  if (options.secure && options.routeLinks) throw new Error("routeLinks: the secure cluster's routes are not linked yet");
  // On the lab network every node is a host of its own, so the same ports serve them all.
  const ports = net ? [...Array<number>(size).fill(14222), ...Array<number>(size).fill(16222), ...Array<number>(size).fill(18222)] : await freePorts(3 * size);
  const clientPorts = ports.slice(0, size);
  const routePorts = ports.slice(size, 2 * size);
  const monitorPorts = ports.slice(2 * size);
  const hostOf = (i: number) => (net ? net.ensureHost(`n${i + 1}`).address : "127.0.0.1");
  const routeLinks = new Map<string, Link>();
  if (options.routeLinks)
    for (const [i, port] of routePorts.entries())
      routeLinks.set(`routes-n${i + 1}`, await startLink({ name: `routes-n${i + 1}`, target: { host: "127.0.0.1", port }, ...options.routeLinks }));
  const routeTo = (i: number) => (options.routeLinks ? `nats://${routeLinks.get(`routes-n${i + 1}`)!.address}` : `nats://${hostOf(i)}:${routePorts[i]}`);
  // Without links, each node's own address among its routes is ignored; through a link it would not be recognised.
  const routesOf = (i: number) =>
    routePorts
      .map((_, j) => j)
      .filter((j) => !options.routeLinks || j !== i)
      .map(routeTo)
      .join(",");
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
        return startNatsServer({
          storeDir,
          port,
          binary: options.binary,
          secure: { configFile: configs[i]!.confFile, monitorPort: monitorPorts[i]!, connect: admin },
          onOutput,
        });
      return startNatsServer({
        binary: options.binary,
        storeDir,
        port,
        monitorPort: monitorPorts[i],
        sync: options.sync,
        extraArgs: [
          ...["--server_name", node, "--cluster_name", name, "--cluster", `nats://${hostOf(i)}:${routePorts[i]}`, "--routes", routesOf(i)],
          ...(options.routeLinks ? ["--cluster_advertise", routeTo(i).replace("nats://", "")] : []),
        ],
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
    routeLinks,
    waitForMetaLeader: (timeoutMs = 30_000) => waitForJetStream(url, timeoutMs, admin),
    async stop() {
      await Promise.all(nodes.map((n) => n.stop()));
      await Promise.all([...routeLinks.values()].map((l) => l.close()));
    },
  };
  const failed = started.find((r) => r.status === "rejected");
  if (failed) {
    await cluster.stop();
    throw failed.reason;
  }
  await cluster.waitForMetaLeader();
  await waitForEveryPeer(nodes, size).catch(async (err: unknown) => {
    await cluster.stop();
    throw err;
  });
  return cluster;
}

/**
 * A cluster, started as startNatsClusterOnce does. On the loopback its ports are ones the OS called
 * free a moment before, so another socket can take one before its node binds it (a node then exits
 * with "address already in use": seen once in CI, in a test that starts links meanwhile). The
 * cluster is then started again from empty stores on fresh ports, up to three times in all.
 */
export async function startNatsCluster(options: Parameters<typeof startNatsClusterOnce>[0]): Promise<ManagedNatsCluster> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startNatsClusterOnce(options);
    } catch (err) {
      if (options.net || attempt >= 3 || !/address already in use/i.test(err instanceof Error ? err.message : String(err))) throw err;
      for (let i = 1; i <= (options.size ?? 3); i++) rmSync(join(options.dir, `n${i}`), { recursive: true, force: true });
    }
  }
}

interface MetaCluster {
  leader?: string;
  cluster_size?: number;
  replicas?: Array<{ name: string; current: boolean }>;
}

/**
 * Until every node agrees on one meta leader and that leader counts each of the others as a
 * current peer: a leader alone answers requests, but a stream with as many replicas as nodes is
 * placed only on peers it counts, and is refused ("no suitable peers") until then.
 */
async function waitForEveryPeer(nodes: readonly ManagedNatsServer[], size: number, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  // Seen on a loaded machine: nodes started together, two of them formed the meta group alone
  // (cluster_size 2) and the third stayed outside it for minutes, so that no stream with a replica
  // per node could be placed. A node left out is restarted once; it joins as it comes back.
  const restartAfter = Date.now() + 15_000;
  let restarted = false;
  for (;;) {
    const views: Array<MetaCluster | string> = await Promise.all(
      nodes.map((n) =>
        fetch(`${n.monitorUrl}/jsz`)
          .then(async (r) => ((await r.json()) as { meta_cluster?: MetaCluster }).meta_cluster ?? "no meta cluster")
          .catch((err: unknown) => `unreachable: ${(err as Error).message}`),
      ),
    );
    const metas = views.filter((v): v is MetaCluster => typeof v !== "string");
    const leader = metas[0]?.leader;
    // The leader's own view: only it knows which peers are current (2.11+ lists the peers on every
    // node, a follower's each marked not current; 2.10 lists them on the leader alone).
    const leaderAt = views[nodes.findIndex((_, i) => `n${i + 1}` === leader)];
    const leaderView = typeof leaderAt === "string" ? undefined : leaderAt;
    const formed =
      metas.length === nodes.length &&
      leader !== undefined &&
      metas.every((m) => m.leader === leader && m.cluster_size === size) &&
      leaderView?.replicas?.length === size - 1 &&
      leaderView.replicas.every((r) => r.current);
    if (formed) return;
    if (!restarted && Date.now() > restartAfter && leaderView?.replicas) {
      restarted = true;
      const members = new Set([leader, ...leaderView.replicas.map((r) => r.name)]);
      await Promise.all(nodes.filter((_, i) => !members.has(`n${i + 1}`)).map((n) => n.restart()));
    }
    if (Date.now() > deadline) throw new Error(`the JetStream cluster did not form within ${timeoutMs} ms; each node's view: ${JSON.stringify(views)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
