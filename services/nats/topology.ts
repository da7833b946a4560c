import {
  AckPolicy,
  DeliverPolicy,
  DiscardPolicy,
  RetentionPolicy,
  StorageType,
  nanos,
  type ConsumerConfig,
  type JetStreamManager,
  type NatsConnection,
  type NatsError,
  type StreamConfig,
} from "nats";
import type { ServiceName } from "../common/config.js";
import { ConfigError } from "../common/config-error.js";
import { MAX_MESSAGE_BYTES } from "../common/limits.js";

/** Every subject of the asynchronous mode, in one place. */
export const SUBJECTS = {
  /** New orders from customers: shop.v1.Order, Nats-Msg-Id = order id. */
  orderPlaced: "orders.placed",
  /** Core NATS notice (no stream, best-effort): shop.v1.OrderView of an order that reached its end state. */
  orderUpdates: "orders.updates",
  /** Request/reply: shop.v1.GetOrderRequest -> shop.v1.OrderView (a NATS service endpoint). */
  orderGet: "orders.get",
  /** Work for billing: shop.v1.CreateInvoiceRequest. */
  invoiceRequested: "billing.invoice.requested",
  /** Work for notification: shop.v1.SendOrderConfirmationRequest. */
  emailRequested: "notification.email.requested",
  /** Events back to the order service. */
  invoiceCreated: "events.invoice.created",
  emailSent: "events.email.sent",
  workFailed: "events.work.failed",
  /** deadletter.<original subject>: copies of messages that could not be processed. */
  deadLetterPrefix: "deadletter",
} as const;

export const STREAMS = {
  orders: "ORDERS",
  billing: "BILLING",
  notification: "NOTIFICATION",
  events: "ORDER_EVENTS",
  deadLetters: "DEAD_LETTERS",
} as const;

export interface TopologySettings {
  /** Re-publishes of one Nats-Msg-Id inside this window are dropped by the stream. */
  duplicateWindowMs: number;
  /** num_replicas of every stream: 1 on a single server, up to the cluster's size (default 1). */
  streamReplicas?: number;
  ackWaitMs: number;
  maxDeliver: number;
  maxAckPending: number;
}

type StreamSettings = Pick<TopologySettings, "duplicateWindowMs" | "streamReplicas">;

function workQueue(name: string, subjects: string[], s: StreamSettings): Partial<StreamConfig> & { name: string } {
  // Work-queue retention: a message leaves the stream when it is acknowledged,
  // so the stream's size is the backlog still waiting.
  return {
    name,
    subjects,
    retention: RetentionPolicy.Workqueue,
    storage: StorageType.File,
    discard: DiscardPolicy.Old,
    duplicate_window: nanos(s.duplicateWindowMs),
    max_msg_size: MAX_MESSAGE_BYTES,
    num_replicas: s.streamReplicas ?? 1,
  };
}

export function streamConfigs(s: StreamSettings): Array<Partial<StreamConfig> & { name: string }> {
  return [
    workQueue(STREAMS.orders, [SUBJECTS.orderPlaced], s),
    workQueue(STREAMS.billing, [SUBJECTS.invoiceRequested], s),
    workQueue(STREAMS.notification, [SUBJECTS.emailRequested], s),
    workQueue(STREAMS.events, [SUBJECTS.invoiceCreated, SUBJECTS.emailSent, SUBJECTS.workFailed], s),
    {
      name: STREAMS.deadLetters,
      subjects: [`${SUBJECTS.deadLetterPrefix}.>`],
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      max_age: nanos(7 * 24 * 3600_000),
      duplicate_window: nanos(s.duplicateWindowMs),
      num_replicas: s.streamReplicas ?? 1,
    },
  ];
}

export interface ConsumerDeclaration {
  stream: string;
  durable: string;
  filterSubject: string;
  owner: ServiceName;
}

/** The durable pull consumers and the service that owns (and configures) each. */
export const CONSUMERS = {
  orderIntake: { stream: STREAMS.orders, durable: "order-intake", filterSubject: SUBJECTS.orderPlaced, owner: "order" },
  orderEvents: { stream: STREAMS.events, durable: "order-events", filterSubject: "events.>", owner: "order" },
  invoicer: { stream: STREAMS.billing, durable: "billing-invoicer", filterSubject: SUBJECTS.invoiceRequested, owner: "billing" },
  mailer: { stream: STREAMS.notification, durable: "notification-mailer", filterSubject: SUBJECTS.emailRequested, owner: "notification" },
} as const satisfies Record<string, ConsumerDeclaration>;

export function consumerConfig(c: ConsumerDeclaration, s: TopologySettings): Partial<ConsumerConfig> {
  return {
    durable_name: c.durable,
    filter_subject: c.filterSubject,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    ack_wait: nanos(s.ackWaitMs),
    // One more than the handler's own limit: the handler dead-letters on its last
    // try, and the extra delivery catches a message whose handler kept crashing.
    max_deliver: s.maxDeliver + 1,
    max_ack_pending: s.maxAckPending,
  };
}

/**
 * The server's refusal of a stream, as a configuration error when replicas were asked for: a
 * single server takes no replicas, and a cluster no more than its size.
 */
function refused(err: unknown, stream: string, replicas: number): Error {
  const api = (err as NatsError).api_error;
  if (err instanceof ConfigError || replicas <= 1 || !api) return err instanceof Error ? err : new Error(String(err));
  return new ConfigError(`NATS_STREAM_REPLICAS=${replicas}: the server refused stream ${stream}: ${api.description} (error ${api.err_code})`, { cause: err });
}

/** JetStream's answer when no set of peers can take a stream's replicas (yet). */
const NO_SUITABLE_PEERS = 10005;

/**
 * How long a stream placement refused for want of peers is retried: a cluster's peers may still be
 * joining, which on a loaded machine (containers starting together) took more than 30 s.
 */
export const PLACEMENT_DEADLINE_MS = 120_000;

/** JetStream's answer while a cluster has no meta leader: 503 "JetStream system temporarily unavailable". */
const CLUSTER_NOT_AVAILABLE = 10008;

/**
 * Whether a JetStream API request failed only because the cluster has no meta leader yet: a fresh
 * cluster elects one seconds after its nodes report healthy, and until then requests time out or
 * are answered 503.
 */
function leaderless(err: unknown): boolean {
  const e = err as NatsError;
  return e?.code === "TIMEOUT" || e?.code === "503" || e?.api_error?.err_code === CLUSTER_NOT_AVAILABLE;
}

/**
 * The JetStream manager once JetStream answers, waiting while a cluster elects its meta leader (a
 * step that provisions right after the nodes start met this). Past the deadline it fails, saying
 * what it waited for.
 */
export async function jetStreamManagerWhenReady(nc: NatsConnection, deadlineMs = PLACEMENT_DEADLINE_MS): Promise<JetStreamManager> {
  return retryUntil(
    () => nc.jetstreamManager(),
    leaderless,
    deadlineMs,
    (err) => {
      return new Error(
        `JetStream at ${nc.getServer()} did not answer within ${Math.round(deadlineMs / 1000)} s (${(err as Error).message}); ` +
          "a cluster answers once a majority of its nodes are up and routed to each other",
        { cause: err },
      );
    },
  );
}

/**
 * Runs `attempt` until it succeeds, backing off from 100 ms to 2 s between tries while `transient`
 * says its failure will pass; a lasting failure, or one past the deadline, is thrown as `fail` makes it.
 */
async function retryUntil<T>(attempt: () => Promise<T>, transient: (err: unknown) => boolean, deadlineMs: number, fail: (err: unknown) => Error): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  for (let delay = 100; ; delay = Math.min(delay * 2, 2_000)) {
    try {
      return await attempt();
    } catch (err) {
      if (!transient(err) || Date.now() + delay > deadline) throw fail(err);
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}

/**
 * Runs a stream change, retrying while the server refuses it for want of peers or of a meta leader:
 * while a cluster forms, its peers join one by one. Past the deadline, a count that cannot be placed stops the
 * service as a configuration error naming NATS_STREAM_REPLICAS.
 */
async function placed<T>(change: () => Promise<T>, stream: string, replicas: number, deadlineMs: number): Promise<T> {
  const waitingForPeers = (err: unknown) => (replicas > 1 && (err as NatsError).api_error?.err_code === NO_SUITABLE_PEERS) || leaderless(err);
  return retryUntil(change, waitingForPeers, deadlineMs, (err) => refused(err, stream, replicas));
}

/** Creates or updates every stream; safe to run again, and by several services at once. */
export async function ensureStreams(jsm: JetStreamManager, s: StreamSettings, placementDeadlineMs = PLACEMENT_DEADLINE_MS): Promise<void> {
  const replicas = s.streamReplicas ?? 1;
  for (const config of streamConfigs(s)) {
    let current = (await jsm.streams.info(config.name).catch(() => undefined))?.config;
    if (!current) {
      try {
        await placed(() => jsm.streams.add(config), config.name, replicas, placementDeadlineMs);
        continue;
      } catch (err) {
        // A service starting at the same moment may have created it first; the server then
        // answers "name in use" or "subjects overlap". Either way: is it there now?
        current = (await jsm.streams.info(config.name).catch(() => undefined))?.config;
        if (!current) throw err;
      }
    }
    const base = current;
    const drift = Object.entries(config).some(([k, v]) => JSON.stringify(base[k as keyof StreamConfig]) !== JSON.stringify(v));
    if (!drift) continue;
    await placed(() => jsm.streams.update(config.name, { ...base, ...config }), config.name, replicas, placementDeadlineMs);
  }
}

/** Creates a service's durable consumer, or updates its tunable settings; safe for replicas starting together. */
export async function ensureConsumer(jsm: JetStreamManager, c: ConsumerDeclaration, s: TopologySettings): Promise<void> {
  const config = consumerConfig(c, s);
  let current = (await jsm.consumers.info(c.stream, c.durable).catch(() => undefined))?.config;
  if (!current) {
    try {
      await jsm.consumers.add(c.stream, config);
      return;
    } catch (err) {
      // Another replica may have created it first.
      current = (await jsm.consumers.info(c.stream, c.durable).catch(() => undefined))?.config;
      if (!current) throw err;
    }
  }
  if (current.ack_wait !== config.ack_wait || current.max_deliver !== config.max_deliver || current.max_ack_pending !== config.max_ack_pending) {
    await jsm.consumers.update(c.stream, c.durable, { ack_wait: config.ack_wait, max_deliver: config.max_deliver, max_ack_pending: config.max_ack_pending });
  }
}

/**
 * Every stream and every durable consumer, as one step: what each service does
 * for itself at start in the plain profile, and what `npm run nats:provision`
 * does as admin in the secure one, where services may not change streams.
 */
export async function provisionAll(jsm: JetStreamManager, s: TopologySettings): Promise<void> {
  await ensureStreams(jsm, s);
  for (const c of Object.values(CONSUMERS)) await ensureConsumer(jsm, c, s);
}
