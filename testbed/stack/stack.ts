import type { Mode, ServiceName } from "../../services/common/config.js";
import type { Logger } from "../../services/common/logger.js";
import { GrpcWorkflowClient } from "../../services/grpc/workflow-client.js";
import { NatsWorkflowClient } from "../../services/nats/workflow-client.js";
import type { OrderWorkflowClient } from "../../services/workflow.js";
import type { CertificateSet } from "../certs.js";
import type { Identity } from "../identity.js";
import type { NatsSync } from "../nats-config.js";
import type { LabNet } from "../net/lab-net.js";
import type { Capabilities } from "./capabilities.js";

/** Where the services run: inside this process (tests), or each as its own process from the build (lab, drills). */
export type Where = "in-process" | "processes";

export interface StackOptions {
  mode: Mode;
  where: Where;
  /** Where the databases (and a private broker's store) go; a temp folder, removed at close, when absent. */
  dataDir?: string;
  /** Extra environment for every service, e.g. GRPC_MAX_IN_FLIGHT or NATS_ACK_WAIT_MS. */
  env?: Record<string, string>;
  /** Extra environment for one service, e.g. a fault-injection hook. */
  serviceEnv?: Partial<Record<ServiceName, Record<string, string>>>;
  /** The secure profile: mutual TLS with these certificates (both modes), NKey users with least privilege (NATS). */
  secure?: CertificateSet;
  /** NATS: a JetStream cluster of this many nodes instead of one server, every stream with as many replicas (up to 3). */
  cluster?: number;
  /** NATS: "always" makes the broker fsync before every acknowledgement. */
  sync?: NatsSync;
  /**
   * NATS: the private broker's binary (default: ensureNatsServer(), the newest there is) and, in the
   * secure profile, its feature flags (2.14+, e.g. { js_ack_fc_v2: true }).
   */
  natsServer?: { binary?: string; featureFlags?: Record<string, boolean> };
  /**
   * processes: how many processes of each service (1). Replicas share their service's database; in
   * gRPC mode the order service is given every replica's address, in NATS mode they share the
   * service's durable consumers.
   */
  replicas?: Partial<Record<ServiceName, number>>;
  /**
   * processes: every hop the mode crosses goes through a link (testbed/net/link.ts) with this
   * one-way delay, which can be cut: gRPC client-order, order-billing and order-notification; NATS
   * client-broker, order-broker, billing-broker and notification-broker, or with a cluster each
   * party to every node (billing-n1, …) and every node's routes (ManagedNatsCluster.routeLinks,
   * on the loopback only).
   */
  links?: { delayMs?: number; jitterMs?: number };
  /**
   * The lab network (root): processes, each service, replica and single broker on a host of its own
   * ("grpc-order", "nats-broker"); a cluster's nodes on n1, n2, … (in process too), so that
   * partitions can cut them apart. Not with `secure` (the certificates name localhost).
   */
  net?: LabNet;
  /** in-process: each service's logger (default: errors on stderr). */
  log?: (name: ServiceName) => Logger;
  /** processes: the file the services' output goes to (default DATA_DIR/services.log); "-": this terminal, each line prefixed. */
  logFile?: string;
  /** processes: run the services from the source with tsx (the start scripts) instead of the lab's build. */
  fromSource?: boolean;
  /**
   * processes: the well-known ports instead of free ones (the start scripts): gRPC 50051-50053, each
   * replica 10 above the one before; NATS the broker on 4222 when free.
   */
  defaultPorts?: boolean;
  /**
   * processes: supervise until Ctrl-C (the start scripts): a signal, or any service exiting by itself,
   * stops the whole stack and ends this process.
   */
  supervise?: boolean;
  /** NATS: a broker that runs already (its URLs, comma-separated): the stack starts none. */
  natsUrl?: string;
  /** processes: node flags per service, e.g. --cpu-prof. */
  nodeArgs?: (name: ServiceName) => string[];
}

/**
 * Stops, starts, pauses and resumes one part of a running stack by name: a service ("order"), a
 * replica ("billing-2") or a broker node ("broker", or "n1", "n2", … of a cluster).
 */
export interface ServiceControl {
  /** Every name this stack answers to. */
  names(): string[];
  /** Starts it again after stop(); resolves once it serves (a service) or answers (a node). */
  start(name: string): Promise<void>;
  /** SIGTERM (default: an ordered shutdown) or SIGKILL (a crash); resolves once it has exited. */
  stop(name: string, signal?: NodeJS.Signals): Promise<void>;
  /** SIGSTOP: the process stalls, its connections stay open (as processes only; a broker node in process too). */
  pause(name: string): Promise<void>;
  resume(name: string): Promise<void>;
}

/** A running system of one mode, however it was started; `await using` closes it. */
export interface Stack extends AsyncDisposable {
  readonly mode: Mode;
  readonly dataDir: string;
  readonly capabilities: Capabilities;
  /** Where a customer reaches the system: the order service's address (gRPC) or the brokers' URLs (NATS). */
  readonly entry: string;
  /** An identity of the secure profile (its certificate and, for NATS, its seed); undefined when not secure. */
  identity(name: string): Identity | undefined;
  /** A workflow client, as the secure profile's `as` identity ("client"); the caller closes it. */
  connectClient(as?: string): Promise<OrderWorkflowClient>;
  /** Each service, replica and broker node, by name. */
  readonly control: ServiceControl;
  close(): Promise<void>;
}

/** The variable a client tool (npm run demo, npm run load) reads a mode's entry from. */
export const ENTRY_VAR: Readonly<Record<Mode, string>> = { grpc: "ORDER_SERVICE_ADDR", nats: "NATS_URL" };

/** The client every kind of stack hands out: the mode's own, at the stack's entry, as `identity`. */
export function connectClient(mode: Mode, entry: string, identity: Identity | undefined, deadlineMs?: number): Promise<OrderWorkflowClient> {
  if (mode === "grpc") return Promise.resolve(new GrpcWorkflowClient({ orderServiceAddr: entry, tls: identity?.pem(), deadlineMs }));
  return NatsWorkflowClient.connect({ natsUrl: entry, credentials: identity?.nats() });
}
