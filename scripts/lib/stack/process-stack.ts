import { createWriteStream, mkdirSync, type WriteStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect, type NatsConnection } from "nats";
import { SERVICE_NAMES, type ServiceName } from "../../../services/common/config.js";
import { dataPaths } from "../../../services/common/data-paths.js";
import { CONSUMERS, PLACEMENT_DEADLINE_MS } from "../../../services/nats/topology.js";
import { credentialOptions } from "../../../services/nats/connection.js";
import { waitGrpcHealthy } from "../../../services/grpc/wait-healthy.js";
import type { OrderWorkflowClient } from "../../../services/workflow.js";
import { ensureBuilt } from "../build.js";
import { freePort } from "../free-port.js";
import { grpcServiceEnv, type GrpcPorts } from "../grpc-topology.js";
import { identity, type Identity } from "../identity.js";
import { loopbackHost } from "../loopback.js";
import type { SecureNatsFiles } from "../nats-config.js";
import { startNatsCluster, type ManagedNatsCluster } from "../nats-cluster.js";
import { startNatsServer, type ManagedNatsServer } from "../nats-server.js";
import { provisionAsAdmin, startSecureNats } from "../secure-nats.js";
import { ProcessGroup, SERVICE_ENTRY, type ManagedProcess } from "../process-group.js";
import { processCpuMs } from "../proc-cpu.js";
import { startLink, type Link } from "../net/link.js";
import { BRIDGE_ADDRESS } from "../net/lab-net.js";
import { CAPABILITIES, type Capabilities } from "./capabilities.js";
import { connectClient, type Stack, type StackOptions } from "./stack.js";

const ADDRESS_VARS = /(_ADDR|^NATS_URL)$/;

/**
 * One mode's three services as real processes from the build (and, for NATS, a private
 * nats-server or cluster), which scenarios and drills can stop, kill and restart.
 */
export class ProcessStack implements Stack {
  readonly capabilities: Capabilities;
  readonly group = new ProcessGroup();
  readonly processes = new Map<ServiceName, ManagedProcess>();
  readonly envs = new Map<ServiceName, Record<string, string>>();
  /** Extra processes of a service (scale-out), by process name, e.g. "billing-2". */
  readonly replicas = new Map<string, { process: ManagedProcess; address?: string }>();
  #cpuOfExited = 0;
  #log: WriteStream;
  #nc?: Promise<NatsConnection>;
  #stopped?: Promise<void>;
  /** The gRPC ports of the replicas the options asked for, by replica name. */
  readonly #replicaPorts = new Map<string, number>();
  /** The hops between the parties, by name (options.links). */
  readonly links = new Map<string, Link>();
  /** The lab network's hosts this stack added (options.net), removed when it stops. */
  readonly #hosts: string[] = [];

  private constructor(
    readonly options: StackOptions & { dataDir: string; logFile: string; hostPrefix: string },
    readonly ports?: GrpcPorts,
    readonly nats?: ManagedNatsServer,
    readonly natsFiles?: SecureNatsFiles,
    readonly cluster?: ManagedNatsCluster,
    readonly ownsDataDir = false,
  ) {
    this.capabilities = CAPABILITIES[options.mode];
    mkdirSync(join(options.logFile, ".."), { recursive: true });
    this.#log = createWriteStream(options.logFile, { flags: "a" });
  }

  /** Starts the compiled services (building dist/ first when this process has not yet). */
  static async start(given: StackOptions): Promise<ProcessStack> {
    if (given.net && given.secure)
      throw new Error("net: the secure profile's development certificates name localhost, not the lab's hosts; run the lab network without the secure profile");
    await ensureBuilt();
    const owned = given.dataDir === undefined;
    const dataDir = given.dataDir ?? (await mkdtemp(join(tmpdir(), `gvn-${given.mode}-processes-`)));
    const options = {
      ...given,
      dataDir,
      logFile: given.logFile ?? join(dataDir, "services.log"),
      // Reserved until the stack stops, so that a second stack of the mode beside it names its hosts apart.
      hostPrefix: given.net?.reservePrefix(given.mode) ?? given.mode,
    };
    mkdirSync(options.dataDir, { recursive: true });
    let stack: ProcessStack;
    if (options.mode === "grpc") {
      const ports = { order: await freePort(), billing: await freePort(), notification: await freePort() };
      stack = new ProcessStack(options, ports, undefined, undefined, undefined, owned);
    } else if (options.cluster && options.cluster > 1) {
      const cluster = await startNatsCluster({
        dir: join(options.dataDir, "cluster"),
        size: options.cluster,
        sync: options.sync,
        secure: options.secure,
        net: options.net,
        routeLinks: options.links,
        binary: options.natsServer?.binary,
      });
      const env = { NATS_STREAM_REPLICAS: String(Math.min(3, options.cluster)), ...options.env };
      if (options.secure && cluster.files)
        await provisionAsAdmin(cluster.url, identity(options.secure, "admin", cluster.files.seeds).nats(), env).catch(async (err: unknown) => {
          await cluster.stop();
          throw err;
        });
      stack = new ProcessStack({ ...options, env }, undefined, undefined, cluster.files, cluster, owned);
    } else if (options.secure) {
      const secured = await startSecureNats(join(options.dataDir, "nats-secure"), options.secure, options.env, options.sync, options.natsServer);
      stack = new ProcessStack(options, undefined, secured.server, secured.files, undefined, owned);
    } else {
      const broker = options.net?.addHost(`${options.hostPrefix}-broker`);
      const nats = await startNatsServer({
        storeDir: dataPaths(options.dataDir).natsStoreDir,
        sync: options.sync,
        binary: options.natsServer?.binary,
        // On its own host every port is free: the one nats-server uses by default.
        ...(broker && { port: 4222, on: { exec: options.net!.exec(broker.name), address: broker.address } }),
      }).catch((err: unknown) => {
        if (broker) options.net!.removeHost(broker.name);
        options.net?.releasePrefix(options.hostPrefix);
        throw err;
      });
      stack = new ProcessStack(options, undefined, nats, undefined, undefined, owned);
      if (broker) stack.#hosts.push(broker.name);
    }
    // Every process beyond a service's first: named billing-2, billing-3, …; in gRPC mode each on a port
    // of its own, which the order service is given from the start.
    const extra = SERVICE_NAMES.flatMap((name) =>
      Array.from({ length: Math.max(0, (options.replicas?.[name] ?? 1) - 1) }, (_, i) => ({ name, replica: `${name}-${i + 2}` })),
    );
    for (const e of extra) stack.#replicaPorts.set(e.replica, stack.ports ? await freePort() : 0);
    try {
      await stack.#startLinks();
    } catch (err) {
      await stack.stop();
      throw err;
    }
    for (const name of SERVICE_NAMES) stack.#env(name);
    const started: Array<PromiseSettledResult<unknown>> = await Promise.allSettled(SERVICE_NAMES.map((n) => stack.startService(n)));
    if (!started.some((r) => r.status === "rejected"))
      started.push(...(await Promise.allSettled(extra.map((e) => stack.#startReplica(e.name, e.replica, {}, stack.#replicaPorts.get(e.replica))))));
    const failed = started.find((r) => r.status === "rejected");
    if (failed) {
      // Leave no process or broker behind when the stack could not start.
      await stack.stop();
      throw failed.reason;
    }
    return stack;
  }

  /** The hops the mode crosses, each through a link of the options' delay (none without `links`). */
  async #startLinks(): Promise<void> {
    const o = this.options.links;
    if (!o) return;
    const host = this.#host;
    // Each hop with its callee: gRPC's calls; in NATS each party to its broker, or to every node of a cluster ("billing-n2").
    const brokers = this.cluster
      ? this.cluster.nodes.map((n, i) => ({ suffix: `n${i + 1}`, url: new URL(n.url) }))
      : this.nats
        ? [{ suffix: "broker", url: new URL(this.nats.url) }]
        : [];
    const hops: Array<[string, { host: string; port: number }]> = this.ports
      ? (["order", "billing", "notification"] as const).map((callee) => [
          `${callee === "order" ? "client" : "order"}-${callee}`,
          { host: this.#addressOf(callee), port: this.ports![callee] },
        ])
      : ["client", ...SERVICE_NAMES].flatMap((party) =>
          brokers.map(({ suffix, url }): [string, { host: string; port: number }] => [`${party}-${suffix}`, { host: url.hostname, port: Number(url.port) }]),
        );
    // On the lab network the links run on the main host, where every lab host reaches them at the bridge's address.
    const listen = this.options.net ? BRIDGE_ADDRESS : undefined;
    for (const [name, target] of hops)
      this.links.set(name, await startLink({ name, target, delayMs: o.delayMs, jitterMs: o.jitterMs, host: listen ? undefined : host, listen }));
  }

  /** A hop by name, e.g. "order-billing" or "billing-broker" (see StackOptions.links). */
  link(name: string): Link {
    const link = this.links.get(name);
    if (!link) throw new Error(`no link ${name}: this stack has ${[...this.links.keys()].join(", ") || "none (options.links)"}`);
    return link;
  }

  #env(name: ServiceName): Record<string, string> {
    const base = { DATA_DIR: this.options.dataDir, LOG_LEVEL: "warn", ...this.options.env, ...this.options.serviceEnv?.[name] };
    const where = this.ports ? grpcServiceEnv(name, this.ports, !!this.options.secure) : { NATS_URL: this.natsUrl };
    if (this.ports && this.options.net) {
      // Each service on its own host: it listens on that host's address and calls the others at theirs.
      where.GRPC_LISTEN_ADDR = `${this.#addressOf(name)}:${this.ports[name]}`;
      if (name === "order")
        for (const [key, callee] of [
          ["BILLING_SERVICE_ADDR", "billing"],
          ["NOTIFICATION_SERVICE_ADDR", "notification"],
        ] as const)
          where[key] = `${this.#addressOf(callee)}:${this.ports[callee]}`;
    }
    // Through the links, where the stack has them: the callees (gRPC) or the broker (NATS) at the link's address.
    const via = (hop: string) => this.links.get(hop)?.address;
    if (this.ports && name === "order") {
      where.BILLING_SERVICE_ADDR = via("order-billing") ?? where.BILLING_SERVICE_ADDR!;
      where.NOTIFICATION_SERVICE_ADDR = via("order-notification") ?? where.NOTIFICATION_SERVICE_ADDR!;
    }
    if (!this.ports && this.links.size > 0) where.NATS_URL = this.#brokerLinks(name);
    if (this.ports && name === "order")
      for (const [key, callee] of [
        ["BILLING_SERVICE_ADDR", "billing"],
        ["NOTIFICATION_SERVICE_ADDR", "notification"],
      ] as const) {
        const more = [...this.#replicaPorts]
          .filter(([replica]) => replica.startsWith(`${callee}-`))
          .map(([replica, port]) => `${this.#addressOf(replica)}:${port}`);
        where[key] = [where[key], ...more].join(",");
      }
    const env = { ...base, ...where, ...this.identity(name)?.env };
    this.envs.set(name, env);
    return env;
  }

  get mode() {
    return this.options.mode;
  }

  get dataDir(): string {
    return this.options.dataDir;
  }

  /** Where a customer reaches the system: the order service (gRPC) or the brokers (NATS). */
  get entry(): string {
    if (this.ports) return this.links.get("client-order")?.address ?? this.orderAddress;
    return this.links.size > 0 ? this.#brokerLinks("client") : this.natsUrl;
  }

  identity(name: string): Identity | undefined {
    return this.options.secure && identity(this.options.secure, name, this.natsFiles?.seeds);
  }

  connectClient(as = "client"): Promise<OrderWorkflowClient> {
    return connectClient(this.mode, this.entry, this.identity(as));
  }

  /** The broker's URL(s): one server, or every node of the cluster. */
  get natsUrl(): string {
    return this.cluster?.url ?? this.nats!.url;
  }

  /** The services' processes by name, for their CPU time and memory. */
  servicePids(): Record<string, number | undefined> {
    return Object.fromEntries([...this.processes].map(([name, p]) => [name, p.child.pid]));
  }

  /** The broker's processes, for its CPU time: one server, or each node of the cluster. */
  brokerPids(): number[] {
    const pids = this.cluster ? this.cluster.nodes.map((n) => n.pid()) : [this.nats?.pid()];
    return pids.filter((p): p is number => p !== undefined);
  }

  /** How the lab names this host's servers (over TLS by their certificates' name). */
  get #host(): string {
    return loopbackHost(!!this.options.secure);
  }

  /**
   * Where a process of this stack runs, by its name ("order", "billing-2"): on the lab network the
   * address of its own host (added on first use, named after the mode), else this host.
   */
  #addressOf(process: string): string {
    const net = this.options.net;
    if (!net) return this.#host;
    const name = `${this.options.hostPrefix}-${process}`;
    if (!this.#hosts.includes(name)) {
      net.addHost(name);
      this.#hosts.push(name);
    }
    return net.host(name).address;
  }

  /** The command prefix that runs a process on its host (none without a lab network). */
  #execOf(process: string): string[] | undefined {
    if (!this.options.net) return undefined;
    this.#addressOf(process);
    return this.options.net.exec(`${this.options.hostPrefix}-${process}`);
  }

  /** A party's way to the broker through its links: one URL per node. */
  #brokerLinks(party: string): string {
    return [...this.links]
      .filter(([name]) => name.startsWith(`${party}-`))
      .map(([, l]) => `nats://${l.address}`)
      .join(",");
  }

  /** Where a customer reaches the order service. */
  get orderAddress(): string {
    return `${this.#addressOf("order")}:${this.ports!.order}`;
  }

  /** Starts (or restarts) a service; `env` changes its environment from now on (undefined values remove). */
  async startService(name: ServiceName, env: Record<string, string | undefined> = {}): Promise<void> {
    const merged = { ...this.envs.get(name), ...env };
    for (const [k, v] of Object.entries(env)) if (v === undefined) delete merged[k];
    this.envs.set(name, merged as Record<string, string>);
    const sink = (line: string) => this.#log.write(`${line}\n`);
    this.processes.set(
      name,
      this.group.spawnScript(name, SERVICE_ENTRY, [name, "--mode", this.options.mode], this.envs.get(name), sink, {
        compiled: true,
        nodeArgs: this.options.nodeArgs?.(name),
        exec: this.#execOf(name),
      }),
    );
    await this.waitReady(name);
  }

  /**
   * Starts one more process of a service, sharing its database: in gRPC mode on a port of its
   * own (its address is returned; nobody calls it until told), in NATS mode on the same durable
   * consumer (it takes work at once). Resolves once it serves, or pulls from its consumer.
   */
  async startReplica(name: ServiceName, replica: string, env: Record<string, string> = {}): Promise<string | undefined> {
    return this.#startReplica(name, replica, env, this.ports ? await freePort() : undefined);
  }

  async #startReplica(name: ServiceName, replica: string, env: Record<string, string>, port: number | undefined): Promise<string | undefined> {
    const sink = (line: string) => this.#log.write(`${line}\n`);
    const address = port ? `${this.#addressOf(replica)}:${port}` : undefined;
    const listen = this.options.net ? this.#addressOf(replica) : "127.0.0.1";
    const merged = { ...this.envs.get(name), ...env, ...(port ? { GRPC_LISTEN_ADDR: `${listen}:${port}` } : {}) };
    const consumers = Object.values(CONSUMERS).filter((c) => c.owner === name);
    const jsm = this.ports ? undefined : await (await this.natsConnection()).jetstreamManager({ checkAPI: false });
    const pulls = async () => (jsm ? Promise.all(consumers.map(async (c) => (await jsm.consumers.info(c.stream, c.durable)).num_waiting ?? 0)) : []);
    const pullsBefore = await pulls();
    const process = this.group.spawnScript(replica, SERVICE_ENTRY, [name, "--mode", this.options.mode], merged, sink, {
      compiled: true,
      exec: this.#execOf(replica),
    });
    this.replicas.set(replica, { process, address });
    if (address) await waitGrpcHealthy(address, 30_000, this.identity("admin")?.pem());
    else if (jsm) {
      // It consumes once each of its service's consumers has one more pull request waiting.
      const deadline = Date.now() + 30_000;
      while ((await pulls()).some((n, i) => n <= pullsBefore[i]!)) {
        if (Date.now() > deadline) throw new Error(`${replica} did not start consuming ${consumers.map((c) => c.durable).join(", ")}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    return address;
  }

  /** Until the service serves (gRPC) or pulls from each of its consumers (NATS); a cluster's services may first wait for its peers to place their streams. */
  async waitReady(name: ServiceName, timeoutMs = this.cluster ? PLACEMENT_DEADLINE_MS + 30_000 : 30_000): Promise<void> {
    if (this.ports) return waitGrpcHealthy(`${this.#addressOf(name)}:${this.ports[name]}`, timeoutMs, this.identity("admin")?.pem());
    const nc = await this.natsConnection();
    const jsm = await nc.jetstreamManager({ checkAPI: false });
    const deadline = Date.now() + timeoutMs;
    for (const c of Object.values(CONSUMERS).filter((c) => c.owner === name)) {
      // A consumer with an outstanding pull request is being consumed. Requests may fail
      // while the lab's own connection is still reconnecting after a broker restart.
      while (((await jsm.consumers.info(c.stream, c.durable).catch(() => undefined))?.num_waiting ?? 0) === 0) {
        if (Date.now() > deadline) throw new Error(`${name} did not start consuming ${c.durable}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  }

  /** One connection for the stack's own checks; the promise is shared so concurrent callers reuse it. */
  natsConnection(): Promise<NatsConnection> {
    // In the secure profile the stack looks at the broker as admin, who may read everything.
    const admin = this.identity("admin");
    const credentials = admin ? credentialOptions(admin.nats()) : {};
    this.#nc ??= connect({ servers: this.natsUrl.split(","), name: "lab", maxReconnectAttempts: -1, reconnectTimeWait: 250, ...credentials });
    return this.#nc;
  }

  #recordCpu(name: ServiceName): void {
    this.#cpuOfExited += processCpuMs(this.processes.get(name)?.child.pid) ?? 0;
  }

  /** Sends a signal and waits for the process to exit (SIGTERM: ordered shutdown; SIGKILL: a crash). */
  async signal(name: ServiceName, signal: NodeJS.Signals): Promise<void> {
    const p = this.processes.get(name);
    if (!p || p.child.exitCode !== null || p.child.signalCode !== null) return;
    this.#recordCpu(name);
    p.child.kill(signal);
    await p.exited;
  }

  pause(name: ServiceName): void {
    this.processes.get(name)?.child.kill("SIGSTOP");
  }

  resume(name: ServiceName): void {
    this.processes.get(name)?.child.kill("SIGCONT");
  }

  /** CPU time (ms) the services have used so far, including processes that have exited. */
  servicesCpuMs(): number {
    let total = this.#cpuOfExited;
    for (const p of this.processes.values()) total += processCpuMs(p.child.pid) ?? 0;
    return total;
  }

  /** The addresses each service was configured with: what it had to know to do its work. */
  addressesUsed(): Record<string, Record<string, string>> {
    return Object.fromEntries([...this.envs].map(([name, env]) => [name, Object.fromEntries(Object.entries(env).filter(([k]) => ADDRESS_VARS.test(k)))]));
  }

  close(): Promise<void> {
    return this.stop();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }

  /** Stops every process and the broker; removes the data when the stack made its folder. Once. */
  stop(): Promise<void> {
    this.#stopped ??= this.#stop();
    return this.#stopped;
  }

  async #stop(): Promise<void> {
    for (const p of this.processes.values()) if (p.child.signalCode === "SIGSTOP") p.child.kill("SIGCONT");
    await this.group.stop();
    await Promise.all([...this.links.values()].map((l) => l.close()));
    await (await this.#nc)?.close();
    await this.nats?.stop();
    await this.cluster?.stop();
    for (const h of this.#hosts) this.options.net?.removeHost(h);
    this.options.net?.releasePrefix(this.options.hostPrefix);
    await new Promise<void>((resolve) => this.#log.end(resolve));
    if (this.ownsDataDir) await rm(this.options.dataDir, { recursive: true, force: true });
  }
}
