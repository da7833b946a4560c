import { createWriteStream, mkdirSync, type WriteStream } from "node:fs";
import { join } from "node:path";
import { connect, type NatsConnection } from "nats";
import { SERVICE_NAMES, type Mode, type ServiceName } from "../../../services/common/config.js";
import { dataPaths } from "../../../services/common/data-paths.js";
import { CONSUMERS } from "../../../services/nats/topology.js";
import { ensureBuilt } from "../../lib/build.js";
import { freePort } from "../../lib/free-port.js";
import { grpcServiceEnv, type GrpcPorts } from "../../lib/grpc-topology.js";
import { loopbackHost } from "../../lib/loopback.js";
import type { CertificateSet } from "../../lib/certs.js";
import type { NatsSync, SecureNatsFiles } from "../../lib/nats-config.js";
import { startNatsCluster, type ManagedNatsCluster } from "../../lib/nats-cluster.js";
import { startNatsServer, type ManagedNatsServer } from "../../lib/nats-server.js";
import { credentialsOf, pemOf, secureEnv, startSecureNats } from "../../lib/secure-nats.js";
import { credentialOptions } from "../../../services/nats/connection.js";
import { ProcessGroup, SERVICE_ENTRY, type ManagedProcess } from "../../lib/process-group.js";
import { waitGrpcHealthy } from "../../../services/grpc/wait-healthy.js";
import { processCpuMs } from "./proc-cpu.js";

export interface LabStackOptions {
  mode: Mode;
  dataDir: string;
  /** Extra environment for every service, e.g. GRPC_MAX_IN_FLIGHT or NATS_MAX_ACK_PENDING. */
  env?: Record<string, string>;
  /** Extra environment for one service, e.g. a fault-injection hook. */
  serviceEnv?: Partial<Record<ServiceName, Record<string, string>>>;
  logFile: string;
  /** Node flags per service, e.g. --cpu-prof for `npm run profile`. */
  nodeArgs?: (name: ServiceName) => string[];
  /** The secure profile: mutual TLS (gRPC and NATS) with these certificates, and NKeys with least privilege (NATS). */
  secure?: CertificateSet;
  /** NATS: a JetStream cluster of this many nodes instead of one server, every stream with as many replicas (up to 3). */
  cluster?: number;
  /** NATS: "always" makes the broker fsync before every acknowledgement. */
  sync?: NatsSync;
}

const ADDRESS_VARS = /(_ADDR|^NATS_URL)$/;

/**
 * One mode's three services as real processes (and, for NATS, a private
 * nats-server), which scenarios can stop, kill and restart.
 */
export class LabStack {
  readonly group = new ProcessGroup();
  readonly processes = new Map<ServiceName, ManagedProcess>();
  readonly envs = new Map<ServiceName, Record<string, string>>();
  /** Extra processes of a service (scale-out), by process name, e.g. "billing-2". */
  readonly replicas = new Map<string, { process: ManagedProcess; address?: string }>();
  #cpuOfExited = 0;
  #log: WriteStream;
  #nc?: Promise<NatsConnection>;

  private constructor(
    readonly options: LabStackOptions,
    readonly ports?: GrpcPorts,
    readonly nats?: ManagedNatsServer,
    readonly natsFiles?: SecureNatsFiles,
    readonly cluster?: ManagedNatsCluster,
  ) {
    mkdirSync(join(options.logFile, ".."), { recursive: true });
    this.#log = createWriteStream(options.logFile, { flags: "a" });
  }

  /** Starts the compiled services (building dist/ first when this process has not yet). */
  static async start(options: LabStackOptions): Promise<LabStack> {
    await ensureBuilt();
    mkdirSync(options.dataDir, { recursive: true });
    let stack: LabStack;
    if (options.mode === "grpc") {
      const ports = { order: await freePort(), billing: await freePort(), notification: await freePort() };
      stack = new LabStack(options, ports);
    } else if (options.cluster && options.cluster > 1) {
      const cluster = await startNatsCluster({ dir: join(options.dataDir, "cluster"), size: options.cluster, sync: options.sync });
      stack = new LabStack(
        { ...options, env: { NATS_STREAM_REPLICAS: String(Math.min(3, options.cluster)), ...options.env } },
        undefined,
        undefined,
        undefined,
        cluster,
      );
    } else if (options.secure) {
      const secured = await startSecureNats(join(options.dataDir, "nats-secure"), options.secure, options.env, options.sync);
      stack = new LabStack(options, undefined, secured.server, secured.files);
    } else {
      const nats = await startNatsServer({ storeDir: dataPaths(options.dataDir).natsStoreDir, sync: options.sync });
      stack = new LabStack(options, undefined, nats);
    }
    for (const name of SERVICE_NAMES) stack.#env(name);
    const started = await Promise.allSettled(SERVICE_NAMES.map((n) => stack.startService(n)));
    const failed = started.find((r) => r.status === "rejected");
    if (failed) {
      // Leave no process or broker behind when the stack could not start.
      await stack.stop();
      throw failed.reason;
    }
    return stack;
  }

  #env(name: ServiceName): Record<string, string> {
    const base = { DATA_DIR: this.options.dataDir, LOG_LEVEL: "warn", ...this.options.env, ...this.options.serviceEnv?.[name] };
    const certs = this.options.secure;
    const tls: Record<string, string> = certs ? { TLS_CA_FILE: certs.ca, TLS_CERT_FILE: certs.files[name]!.cert, TLS_KEY_FILE: certs.files[name]!.key } : {};
    const env = this.ports
      ? { ...base, ...grpcServiceEnv(name, this.ports, !!certs), ...tls }
      : { ...base, NATS_URL: this.natsUrl, ...(certs && this.natsFiles ? secureEnv(this.natsFiles, certs, name) : {}) };
    this.envs.set(name, env);
    return env;
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

  /** Where a customer reaches the order service. */
  get orderAddress(): string {
    return `${this.#host}:${this.ports!.order}`;
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
    const sink = (line: string) => this.#log.write(`${line}\n`);
    const port = this.ports ? await freePort() : undefined;
    const address = port ? `${this.#host}:${port}` : undefined;
    const merged = { ...this.envs.get(name), ...env, ...(port ? { GRPC_LISTEN_ADDR: `127.0.0.1:${port}` } : {}) };
    const consumer = Object.values(CONSUMERS).find((c) => c.owner === name);
    const jsm = this.nats ? await (await this.natsConnection()).jetstreamManager({ checkAPI: false }) : undefined;
    const pullsBefore = consumer && jsm ? ((await jsm.consumers.info(consumer.stream, consumer.durable)).num_waiting ?? 0) : 0;
    const process = this.group.spawnScript(replica, SERVICE_ENTRY, [name, "--mode", this.options.mode], merged, sink, { compiled: true });
    this.replicas.set(replica, { process, address });
    if (address) await waitGrpcHealthy(address, 30_000, this.options.secure && pemOf(this.options.secure, "admin"));
    else if (consumer && jsm) {
      const deadline = Date.now() + 30_000;
      while (((await jsm.consumers.info(consumer.stream, consumer.durable)).num_waiting ?? 0) <= pullsBefore) {
        if (Date.now() > deadline) throw new Error(`${replica} did not start consuming ${consumer.durable}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    return address;
  }

  async waitReady(name: ServiceName, timeoutMs = 30_000): Promise<void> {
    if (this.ports) return waitGrpcHealthy(`${this.#host}:${this.ports[name]}`, timeoutMs, this.options.secure && pemOf(this.options.secure, "admin"));
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
    const certs = this.options.secure;
    // In the secure profile the lab looks at the broker as admin, who may read everything.
    const credentials = certs && this.natsFiles ? credentialOptions(credentialsOf(this.natsFiles, certs, "admin")) : {};
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

  async stop(): Promise<void> {
    for (const p of this.processes.values()) if (p.child.signalCode === "SIGSTOP") p.child.kill("SIGCONT");
    await this.group.stop();
    await (await this.#nc)?.close();
    await this.nats?.stop();
    await this.cluster?.stop();
    await new Promise<void>((resolve) => this.#log.end(resolve));
  }
}
