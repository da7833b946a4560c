import { DEFAULT_GRPC_PORTS, SERVICE_NAMES, type ServiceName } from "../../services/common/config.js";
import { waitGrpcHealthy } from "../../services/grpc/wait-healthy.js";
import { freePort } from "../free-port.js";
import type { ManagedNatsServer } from "../nats-server.js";
import { Placement } from "./placement.js";
import { ProcessStack, type Hop, type ProcessStackOptions } from "./process-stack.js";

/** The callees of the order service, and the variable that gives it each one's address. */
const CALLEES = [
  ["billing", "BILLING_SERVICE_ADDR"],
  ["notification", "NOTIFICATION_SERVICE_ADDR"],
] as const;

/**
 * The gRPC mode as processes: three servers, each on a port of its own (and its own host on the lab
 * network); the order service is given every billing and notification process's address.
 */
export class GrpcProcessStack extends ProcessStack {
  private constructor(
    options: ProcessStackOptions,
    placement: Placement,
    /** Each process's port, by process name ("order", "billing-2"). */
    readonly ports: Map<string, number>,
  ) {
    super(options, placement);
  }

  static async start(options: ProcessStackOptions): Promise<GrpcProcessStack> {
    const extra = SERVICE_NAMES.flatMap((name) =>
      Array.from({ length: Math.max(0, (options.replicas?.[name] ?? 1) - 1) }, (_, i) => ({ name, replica: `${name}-${i + 2}`, index: i + 1 })),
    );
    const ports = new Map<string, number>();
    // The well-known ports (each replica 10 above the one before), or free ones.
    for (const name of SERVICE_NAMES) ports.set(name, options.defaultPorts ? DEFAULT_GRPC_PORTS[name] : await freePort());
    for (const e of extra) ports.set(e.replica, options.defaultPorts ? DEFAULT_GRPC_PORTS[e.name] + 10 * e.index : await freePort());
    const stack = new GrpcProcessStack(options, new Placement(options.net, "grpc", !!options.secure), ports);
    await stack.startAll(extra);
    return stack;
  }

  /** Where a process is reached: its host's address and its port. */
  addressOf(process: string): string {
    return `${this.placement.addressOf(process)}:${this.ports.get(process)}`;
  }

  /** Where a customer reaches the order service, without the links. */
  get orderAddress(): string {
    return this.addressOf("order");
  }

  get entry(): string {
    return this.links.get("client-order")?.address ?? this.orderAddress;
  }

  brokerNodes(): Map<string, ManagedNatsServer> {
    return new Map();
  }

  protected hops(): Hop[] {
    return SERVICE_NAMES.map((callee) => [
      `${callee === "order" ? "client" : "order"}-${callee}`,
      { host: this.placement.addressOf(callee), port: this.ports.get(callee)! },
    ]);
  }

  #listenAddress(process: string): string {
    // On the lab network a process listens on its host's address, else on the loopback.
    return `${this.options.net ? this.placement.addressOf(process) : "127.0.0.1"}:${this.ports.get(process)}`;
  }

  protected topologyEnv(name: ServiceName): Record<string, string> {
    const env: Record<string, string> = { GRPC_LISTEN_ADDR: this.#listenAddress(name) };
    if (name !== "order") return env;
    for (const [callee, key] of CALLEES) {
      // The first process through its link where the stack has one; then every replica's own address.
      const first = this.links.get(`order-${callee}`)?.address ?? this.addressOf(callee);
      const more = [...this.ports.keys()].filter((p) => p.startsWith(`${callee}-`)).map((p) => this.addressOf(p));
      env[key] = [first, ...more].join(",");
    }
    return env;
  }

  async waitReady(name: ServiceName, timeoutMs = 30_000): Promise<void> {
    await waitGrpcHealthy(this.addressOf(name), timeoutMs, this.identity("admin")?.pem());
  }

  /** A replica on a port of its own (set aside at start, else a free one): nobody calls it until told its address, which is returned. */
  async startReplica(name: ServiceName, replica: string, env: Record<string, string> = {}): Promise<string> {
    if (!this.ports.has(replica)) this.ports.set(replica, await freePort());
    const address = this.addressOf(replica);
    const process = this.spawn(name, replica, { ...this.envs.get(name), ...env, GRPC_LISTEN_ADDR: this.#listenAddress(replica) });
    this.replicas.set(replica, { process, address });
    await waitGrpcHealthy(address, 30_000, this.identity("admin")?.pem());
    return address;
  }

  protected stopTopology(): Promise<void> {
    return Promise.resolve();
  }
}
