import { createWriteStream, mkdirSync, type WriteStream } from "node:fs";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { SERVICE_NAMES, type Mode, type ServiceName } from "../../services/common/config.js";
import type { OrderWorkflowClient } from "../../services/workflow.js";
import type { CertificateSet } from "../certs.js";
import { identity, type Identity } from "../identity.js";
import type { ManagedNatsServer } from "../nats-server.js";
import { startLink, type Link } from "../net/link.js";
import { BRIDGE_ADDRESS } from "../net/lab-net.js";
import { ProcessGroup, SERVICE_ENTRY, type ManagedProcess } from "../process-group.js";
import { CAPABILITIES, type Capabilities } from "./capabilities.js";
import type { Placement } from "./placement.js";
import { connectClient, type ServiceControl, type Stack, type StackOptions } from "./stack.js";

const ADDRESS_VARS = /(_ADDR|^NATS_URL)$/;

/** What a process stack is started with, once its defaults are filled in. */
export type ProcessStackOptions = StackOptions & { dataDir: string; logFile: string; ownsDataDir: boolean };

/** One hop a link stands in front of: its name ("order-billing", "billing-n2") and the callee's address. */
export type Hop = [name: string, target: { host: string; port: number }];

/**
 * One mode's services as real processes from the build, which scenarios and drills can stop, kill,
 * pause and restart by name. This base owns what both modes share: the process group and its log,
 * the links in front of each hop, service control and the ordered stop; each mode's stack owns its
 * topology (ports or broker), each service's environment and when a service is ready.
 */
export abstract class ProcessStack implements Stack {
  readonly capabilities: Capabilities;
  readonly group = new ProcessGroup();
  /** Each service's first process, by service name. */
  readonly processes = new Map<ServiceName, ManagedProcess>();
  readonly envs = new Map<ServiceName, Record<string, string>>();
  /** Extra processes of a service, by process name, e.g. "billing-2". */
  readonly replicas = new Map<string, { process: ManagedProcess; address?: string }>();
  /** The hops between the parties, by name (options.links). */
  readonly links = new Map<string, Link>();
  readonly control: ServiceControl;
  /** Where the services' output goes: the stack's log file, or (undefined) this terminal, prefixed and readable. */
  readonly #sink?: (line: string) => void;
  readonly #log?: WriteStream;
  #stopped?: Promise<void>;

  protected constructor(
    readonly options: ProcessStackOptions,
    readonly placement: Placement,
  ) {
    this.capabilities = CAPABILITIES[options.mode];
    if (options.logFile !== "-") {
      mkdirSync(join(options.logFile, ".."), { recursive: true });
      const log = createWriteStream(options.logFile, { flags: "a" });
      this.#log = log;
      this.#sink = (line) => log.write(`${line}\n`);
    }
    // The start scripts: from the first process on, Ctrl-C (or SIGTERM, or a closed terminal) or a
    // service exiting by itself stops everything, broker included, and ends this process.
    if (options.supervise) this.group.superviseUntilStopped(() => this.stop());
    this.control = {
      names: () => [...SERVICE_NAMES, ...this.replicas.keys(), ...this.brokerNodes().keys()],
      start: (name) => this.#startByName(name),
      stop: (name, signal) => this.#stopByName(name, signal),
      pause: (name) => this.#signalByName(name, "SIGSTOP"),
      resume: (name) => this.#signalByName(name, "SIGCONT"),
    };
  }

  get mode(): Mode {
    return this.options.mode;
  }

  get dataDir(): string {
    return this.options.dataDir;
  }

  /** Where a customer reaches the system: the order service (gRPC) or the brokers (NATS). */
  abstract get entry(): string;
  /** A service's environment from its base: its listen address and whom it calls (gRPC), or the broker (NATS). */
  protected abstract topologyEnv(name: ServiceName): Record<string, string>;
  /** The hops the mode crosses, each with its callee (StackOptions.links). */
  protected abstract hops(): Hop[];
  /** Until the service serves (gRPC) or pulls from each of its consumers (NATS). */
  abstract waitReady(name: ServiceName, timeoutMs?: number): Promise<void>;
  /**
   * Starts one more process of a service, sharing its database (gRPC: on a port of its own, whose
   * address is returned; NATS: on the same durable consumers); resolves once it serves or pulls.
   */
  abstract startReplica(name: ServiceName, replica: string, env?: Record<string, string>): Promise<string | undefined>;
  /** The broker's nodes by name ("broker", or "n1", "n2", … for a cluster); none in gRPC mode. */
  abstract brokerNodes(): Map<string, ManagedNatsServer>;

  identity(name: string): Identity | undefined {
    return this.options.secure && identity(this.options.secure, name, this.seeds());
  }

  /** The NATS seeds of the secure profile's identities (none in gRPC mode). */
  protected seeds(): Record<string, string> | undefined {
    return undefined;
  }

  get certificates(): CertificateSet | undefined {
    return this.options.secure;
  }

  connectClient(as = "client"): Promise<OrderWorkflowClient> {
    return connectClient(this.mode, this.entry, this.identity(as));
  }

  /** Starts the links and every service (and the replicas asked for); stops what started when one fails. */
  protected async startAll(extra: Array<{ name: ServiceName; replica: string }> = []): Promise<void> {
    try {
      await this.#startLinks();
      for (const name of SERVICE_NAMES) this.envs.set(name, this.#envOf(name));
      const started: Array<PromiseSettledResult<unknown>> = await Promise.allSettled(SERVICE_NAMES.map((n) => this.startService(n)));
      if (!started.some((r) => r.status === "rejected")) started.push(...(await Promise.allSettled(extra.map((e) => this.startReplica(e.name, e.replica)))));
      const failed = started.find((r) => r.status === "rejected");
      if (failed) throw failed.reason;
    } catch (err) {
      // Leave no process or broker behind when the stack could not start.
      await this.stop();
      throw err;
    }
  }

  async #startLinks(): Promise<void> {
    const o = this.options.links;
    if (!o) return;
    // On the lab network the links run on the main host, where every lab host reaches them at the bridge's address.
    const listen = this.options.net ? BRIDGE_ADDRESS : undefined;
    const host = listen ? undefined : this.placement.addressOf("client");
    for (const [name, target] of this.hops()) this.links.set(name, await startLink({ name, target, delayMs: o.delayMs, jitterMs: o.jitterMs, host, listen }));
  }

  /** A hop by name, e.g. "order-billing" or "billing-broker" (see StackOptions.links). */
  link(name: string): Link {
    const link = this.links.get(name);
    if (!link) throw new Error(`no link ${name}: this stack has ${[...this.links.keys()].join(", ") || "none (options.links)"}`);
    return link;
  }

  #envOf(name: ServiceName): Record<string, string> {
    const base = { DATA_DIR: this.options.dataDir, LOG_LEVEL: "warn", ...this.options.env };
    // A service's own settings win over the topology's (start:grpc: addresses the user exported).
    return { ...base, ...this.topologyEnv(name), ...this.options.serviceEnv?.[name], ...this.identity(name)?.env };
  }

  /** Spawns a process of a service on its host, its output into the stack's log. */
  protected spawn(service: ServiceName, processName: string, env: Record<string, string | undefined>): ManagedProcess {
    return this.group.spawnScript(processName, SERVICE_ENTRY, [service, "--mode", this.mode], env, this.#sink, {
      compiled: !this.options.fromSource,
      nodeArgs: processName === service ? this.options.nodeArgs?.(service) : undefined,
      exec: this.placement.execOf(processName),
    });
  }

  /** Starts (or restarts) a service; `env` changes its environment from now on (undefined values remove). */
  async startService(name: ServiceName, env: Record<string, string | undefined> = {}): Promise<void> {
    const merged = { ...this.envs.get(name), ...env };
    for (const [k, v] of Object.entries(env)) if (v === undefined) delete merged[k];
    this.envs.set(name, merged as Record<string, string>);
    this.processes.set(name, this.spawn(name, name, merged));
    await this.waitReady(name);
  }

  /** The services' processes by name (replicas included), for their CPU time and memory. */
  servicePids(): Record<string, number | undefined> {
    return Object.fromEntries([...this.processes, ...[...this.replicas].map(([n, r]) => [n, r.process] as const)].map(([n, p]) => [n, p.child.pid]));
  }

  /** The broker's processes, for its CPU time: one server, or each node of the cluster. */
  brokerPids(): number[] {
    return [...this.brokerNodes().values()].map((n) => n.pid()).filter((p): p is number => p !== undefined);
  }

  #processNamed(name: string): ManagedProcess | undefined {
    return this.processes.get(name as ServiceName) ?? this.replicas.get(name)?.process;
  }

  async #startByName(name: string): Promise<void> {
    const node = this.brokerNodes().get(name);
    if (node) return node.start();
    if ((SERVICE_NAMES as readonly string[]).includes(name)) return this.startService(name as ServiceName);
    const replica = this.replicas.get(name);
    if (!replica) throw new Error(`no service, replica or broker node named ${name}; this stack has ${this.control.names().join(", ")}`);
    const service = SERVICE_NAMES.find((s) => name.startsWith(`${s}-`))!;
    await this.startReplica(service, name);
  }

  async #stopByName(name: string, signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
    const node = this.brokerNodes().get(name);
    if (node) return signal === "SIGKILL" ? node.kill() : node.stop();
    await this.#signal(name, signal);
  }

  async #signalByName(name: string, signal: "SIGSTOP" | "SIGCONT"): Promise<void> {
    const node = this.brokerNodes().get(name);
    const pid = node ? node.pid() : this.#processNamed(name)?.child.pid;
    if (pid === undefined) throw new Error(`no running process named ${name}; this stack has ${this.control.names().join(", ")}`);
    process.kill(pid, signal);
    await Promise.resolve();
  }

  /** Sends a signal to a service's or replica's process and waits for it to exit (SIGTERM: ordered shutdown; SIGKILL: a crash). */
  async #signal(name: string, signal: NodeJS.Signals): Promise<void> {
    const p = this.#processNamed(name);
    if (!p || p.child.exitCode !== null || p.child.signalCode !== null) return;
    // A paused process takes no signal but SIGKILL until it runs again.
    if (signal !== "SIGKILL") p.child.kill("SIGCONT");
    p.child.kill(signal);
    await p.exited;
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

  /** What a mode's stack stops after its services: its broker and its own connections. */
  protected abstract stopTopology(): Promise<void>;

  async #stop(): Promise<void> {
    // A paused process takes no SIGTERM until it runs again.
    for (const p of [...this.processes.values(), ...[...this.replicas.values()].map((r) => r.process)])
      if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill("SIGCONT");
    for (const pid of this.brokerPids()) {
      try {
        process.kill(pid, "SIGCONT");
      } catch {
        // Gone already.
      }
    }
    await this.group.stop();
    await Promise.all([...this.links.values()].map((l) => l.close()));
    await this.stopTopology();
    this.placement.release();
    if (this.#log) await new Promise<void>((resolve) => this.#log!.end(resolve));
    if (this.options.ownsDataDir) await rm(this.options.dataDir, { recursive: true, force: true });
  }
}
