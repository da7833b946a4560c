import { connect, type JetStreamManager, type NatsConnection } from "nats";
import { SERVICE_NAMES, type ServiceName } from "../../services/common/config.js";
import { credentialOptions } from "../../services/nats/connection.js";
import { CONSUMERS, PLACEMENT_DEADLINE_MS } from "../../services/nats/topology.js";
import type { ManagedNatsCluster } from "../nats-cluster.js";
import type { ManagedNatsServer } from "../nats-server.js";
import { startBroker, type Broker } from "./brokers.js";
import { Placement } from "./placement.js";
import { ProcessStack, type Hop, type ProcessStackOptions } from "./process-stack.js";

/** The durable consumers a service takes its work from. */
const consumersOf = (service: ServiceName) => Object.values(CONSUMERS).filter((c) => c.owner === service);

/**
 * Until each of a service's consumers has more pull requests waiting than `before` (none: at least
 * one), the sign that a process of it consumes. Reads may fail while the stack's own connection
 * reconnects after a broker restart; they are tried again until the deadline.
 */
export async function waitForPulls(jsm: JetStreamManager, service: ServiceName, timeoutMs: number, before: number[] = []): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const [i, c] of consumersOf(service).entries())
    while (((await jsm.consumers.info(c.stream, c.durable).catch(() => undefined))?.num_waiting ?? 0) <= (before[i] ?? 0)) {
      if (Date.now() > deadline) throw new Error(`${service} did not start consuming ${c.durable}`);
      await new Promise((r) => setTimeout(r, 50));
    }
}

/** Pull requests waiting on each of a service's consumers now. */
async function pullsOf(jsm: JetStreamManager, service: ServiceName): Promise<number[]> {
  return Promise.all(consumersOf(service).map(async (c) => (await jsm.consumers.info(c.stream, c.durable)).num_waiting ?? 0));
}

/** The NATS mode as processes: a private broker (one server or a cluster, or one given) and the three services, which know only its URLs. */
export class NatsProcessStack extends ProcessStack {
  #nc?: Promise<NatsConnection>;

  private constructor(
    options: ProcessStackOptions,
    placement: Placement,
    /** The private broker; undefined when the stack was given one (options.natsUrl). */
    readonly broker: Broker | undefined,
  ) {
    super(options, placement);
  }

  static async start(options: ProcessStackOptions): Promise<NatsProcessStack> {
    const placement = new Placement(options.net, "nats", !!options.secure);
    let broker: Broker | undefined;
    try {
      broker = options.natsUrl
        ? undefined
        : await startBroker({
            dataDir: options.dataDir,
            cluster: options.cluster,
            secure: options.secure,
            sync: options.sync,
            natsServer: options.natsServer,
            net: options.net,
            on: options.net && !(options.cluster && options.cluster > 1) ? placement.hostFor("broker") : undefined,
            routeLinks: options.links,
            preferPort: options.defaultPorts ? 4222 : undefined,
            env: options.env,
          });
    } catch (err) {
      placement.release();
      throw err;
    }
    const env = { ...broker?.serviceEnv, ...options.env };
    const stack = new NatsProcessStack({ ...options, env }, placement, broker);
    const extra = SERVICE_NAMES.flatMap((name) =>
      Array.from({ length: Math.max(0, (options.replicas?.[name] ?? 1) - 1) }, (_, i) => ({ name, replica: `${name}-${i + 2}` })),
    );
    await stack.startAll(extra);
    return stack;
  }

  /** The broker's URL(s): one server, or every node of the cluster. */
  get natsUrl(): string {
    return this.broker?.url ?? this.options.natsUrl!;
  }

  /** The one server (undefined for a cluster or a broker given). */
  get nats(): ManagedNatsServer | undefined {
    return this.broker?.cluster ? undefined : this.broker?.nodes.get("broker");
  }

  get cluster(): ManagedNatsCluster | undefined {
    return this.broker?.cluster;
  }

  brokerNodes(): Map<string, ManagedNatsServer> {
    return this.broker?.nodes ?? new Map<string, ManagedNatsServer>();
  }

  protected override seeds(): Record<string, string> | undefined {
    return this.broker?.files?.seeds;
  }

  get entry(): string {
    return this.links.size > 0 ? this.#brokerLinks("client") : this.natsUrl;
  }

  protected hops(): Hop[] {
    // Each party to its broker, or to every node of a cluster ("billing-n2").
    const nodes = [...this.brokerNodes()].map(([name, n]) => ({ name, url: new URL(n.url) }));
    return ["client", ...SERVICE_NAMES].flatMap((party) =>
      nodes.map(({ name, url }): Hop => [`${party}-${name}`, { host: url.hostname, port: Number(url.port) }]),
    );
  }

  protected topologyEnv(name: ServiceName): Record<string, string> {
    // Through its links, where the stack has them.
    return { NATS_URL: this.links.size > 0 ? this.#brokerLinks(name) : this.natsUrl };
  }

  /** A party's way to the broker through its links: one URL per node. */
  #brokerLinks(party: string): string {
    return [...this.links]
      .filter(([name]) => name.startsWith(`${party}-`))
      .map(([, l]) => `nats://${l.address}`)
      .join(",");
  }

  /** Until the service pulls from each of its consumers; a cluster's services may first wait for its peers to place their streams. */
  async waitReady(name: ServiceName, timeoutMs = this.cluster ? PLACEMENT_DEADLINE_MS + 30_000 : 30_000): Promise<void> {
    await waitForPulls(await this.#jsm(), name, timeoutMs);
  }

  async startReplica(name: ServiceName, replica: string, env: Record<string, string> = {}): Promise<string | undefined> {
    const jsm = await this.#jsm();
    const before = await pullsOf(jsm, name);
    this.replicas.set(replica, { process: this.spawn(name, replica, { ...this.envs.get(name), ...env }) });
    // It consumes once each of its service's consumers has one more pull request waiting.
    await waitForPulls(jsm, name, 30_000, before);
    return undefined;
  }

  async #jsm(): Promise<JetStreamManager> {
    return (await this.natsConnection()).jetstreamManager({ checkAPI: false });
  }

  /** One connection for the stack's own checks; the promise is shared so concurrent callers reuse it. */
  natsConnection(): Promise<NatsConnection> {
    // In the secure profile the stack looks at the broker as admin, who may read everything.
    const admin = this.identity("admin");
    const credentials = admin ? credentialOptions(admin.nats()) : {};
    this.#nc ??= connect({ servers: this.natsUrl.split(","), name: "lab", maxReconnectAttempts: -1, reconnectTimeWait: 250, ...credentials });
    return this.#nc;
  }

  protected async stopTopology(): Promise<void> {
    await (await this.#nc?.catch(() => undefined))?.close();
    await this.broker?.stop();
  }
}
