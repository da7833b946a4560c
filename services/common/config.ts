import { parseArgs } from "node:util";
import { parseAddressList, parseListenAddress, type AddressList } from "./address-list.js";
import { ConfigError } from "./config-error.js";
import { tlsConfig, type TlsConfig } from "./tls-config.js";
import { tracingSettings, type TracingSettings } from "./tracing-config.js";

export const MODES = ["grpc", "nats"] as const;
export type Mode = (typeof MODES)[number];
export const SERVICE_NAMES = ["order", "billing", "notification"] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

export const DEFAULT_GRPC_PORTS: Record<ServiceName, number> = { order: 50051, billing: 50052, notification: 50053 };

/** Settings every service shares, whatever the mode. */
export interface CommonConfig {
  name: ServiceName;
  mode: Mode;
  dataDir: string;
  smtpUrl?: string;
  mailFrom: string;
  /** Ordered shutdown waits this long for in-flight work before forcing. */
  shutdownGraceMs: number;
  /** Fault-injection hook for reliability drills: billing dies after this many new invoices (0 = off). */
  crashAfterInvoiceWrites: number;
  /** Serve Prometheus metrics at http://<host>:<port>/metrics; unset: no metrics at all. */
  metricsPort?: number;
  /** Billing: a stand-in for a payment provider's latency per new invoice (0: off), and how many at once. */
  provider: { delayMs: number; concurrency: number };
  /** OpenTelemetry traces from the standard OTEL_* variables; undefined: off. */
  tracing?: TracingSettings;
  /** TLS_CA_FILE, TLS_CERT_FILE, TLS_KEY_FILE: mutual TLS for gRPC and the NATS connection; undefined: plaintext. */
  tls?: TlsConfig;
}

export interface GrpcConfig extends CommonConfig {
  listen: string;
  /** Budget for one call, propagated downstream (the smaller of it and the caller's). */
  deadlineMs: number;
  /** Calls above this many in flight get RESOURCE_EXHAUSTED; 0 means no limit. */
  maxInFlight: number;
  /** Only the order service calls others; it needs both. */
  billing?: AddressList;
  notification?: AddressList;
}

export interface NatsConfig extends CommonConfig {
  /** Comma-separated server URLs; the only address a service needs. */
  natsUrl: string;
  /** How many messages the service's consumers may have unacknowledged, across all its processes (max_ack_pending). */
  maxAckPending: number;
  /**
   * How many messages one process takes and works on at once (NATS_CONCURRENCY; default:
   * max_ack_pending). Smaller than max_ack_pending, it leaves work in the stream for the
   * service's other replicas instead of one process holding it all.
   */
  concurrency: number;
  ackWaitMs: number;
  /** A consumer with work pending that completes none for this long reports itself stalled (0: never). */
  stallAfterMs: number;
  /** How often each consumer looks for work its stream holds below its ack floor, to queue it again (0: never). */
  strandedCheckMs: number;
  maxDeliver: number;
  /** Re-publishes of one message id inside this window are dropped by the streams. */
  duplicateWindowMs: number;
  /** num_replicas of every stream the service provisions (consumers follow their stream). */
  streamReplicas: number;
  /** How long a publish keeps retrying while no stream leader answers (a cluster's election). */
  publishRetryMs: number;
  /**
   * NATS_NKEY_SEED_FILE: authenticate with this NKey. A service with credentials runs with
   * least privilege: it does not provision streams (nats:provision does, as admin).
   */
  nkeySeedFile?: string;
}

type Env = Record<string, string | undefined>;

export function isServiceName(value: string | undefined): value is ServiceName {
  return (SERVICE_NAMES as readonly string[]).includes(value ?? "");
}

export function isMode(value: string | undefined): value is Mode {
  return (MODES as readonly string[]).includes(value ?? "");
}

function int(variable: string, value: string | undefined, fallback: number, min: number): number {
  if (value === undefined || value === "") return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new ConfigError(`${variable}: ${JSON.stringify(value)} must be an integer >= ${min}`);
  return n;
}

/** A TCP port, or undefined when the setting is absent (0: any free port). */
function optionalPort(variable: string, value: string | undefined): number | undefined {
  if (value === undefined || value === "") return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65_535) throw new ConfigError(`${variable}: ${JSON.stringify(value)} is not a TCP port (0-65535)`);
  return n;
}

const FLAGS = {
  mode: { type: "string" },
  "data-dir": { type: "string" },
  listen: { type: "string" },
  "billing-addr": { type: "string" },
  "notification-addr": { type: "string" },
  "deadline-ms": { type: "string" },
  "max-in-flight": { type: "string" },
  "nats-url": { type: "string" },
  "max-ack-pending": { type: "string" },
  "metrics-port": { type: "string" },
  "stream-replicas": { type: "string" },
  "tls-ca": { type: "string" },
  "tls-cert": { type: "string" },
  "tls-key": { type: "string" },
  "nkey-file": { type: "string" },
} as const;

export interface ParsedArgs {
  name: ServiceName;
  mode: Mode;
  flags: Partial<Record<keyof typeof FLAGS, string>>;
}

/** `<order|billing|notification> --mode grpc|nats [--flag value ...]` */
export function parseServiceArgs(argv: string[], env: Env = process.env): ParsedArgs {
  const { values, positionals } = parseArgs({ args: argv, options: FLAGS, allowPositionals: true, strict: true });
  const name = positionals[0];
  if (!isServiceName(name)) throw new ConfigError(`service name must be one of ${SERVICE_NAMES.join(", ")}; got ${JSON.stringify(name ?? "")}`);
  const mode = values.mode ?? env.MODE ?? "grpc";
  if (!isMode(mode)) throw new ConfigError(`--mode must be one of ${MODES.join(", ")}; got ${JSON.stringify(mode)}`);
  return { name, mode, flags: values };
}

function common(name: ServiceName, mode: Mode, flags: ParsedArgs["flags"], env: Env): CommonConfig {
  return {
    name,
    mode,
    dataDir: flags["data-dir"] ?? env.DATA_DIR ?? `./data/${mode}`,
    smtpUrl: env.SMTP_URL || undefined,
    mailFrom: env.MAIL_FROM ?? "Shop <orders@grpc-vs-nats.local>",
    shutdownGraceMs: int("SHUTDOWN_GRACE_MS", env.SHUTDOWN_GRACE_MS, 10_000, 0),
    crashAfterInvoiceWrites: int("CRASH_AFTER_INVOICE_WRITE", env.CRASH_AFTER_INVOICE_WRITE, 0, 0),
    metricsPort: optionalPort(flags["metrics-port"] !== undefined ? "--metrics-port" : "METRICS_PORT", flags["metrics-port"] ?? env.METRICS_PORT),
    provider: {
      delayMs: int("BILLING_PROVIDER_DELAY_MS", env.BILLING_PROVIDER_DELAY_MS, 0, 0),
      concurrency: int("BILLING_PROVIDER_CONCURRENCY", env.BILLING_PROVIDER_CONCURRENCY, 8, 1),
    },
    tracing: tracingSettings(env, name),
    tls: tlsConfig(flags, env),
  };
}

export function grpcConfig(name: ServiceName, flags: ParsedArgs["flags"] = {}, env: Env = process.env): GrpcConfig {
  const listenVar = flags.listen !== undefined ? "--listen" : "GRPC_LISTEN_ADDR";
  const config: GrpcConfig = {
    ...common(name, "grpc", flags, env),
    listen: parseListenAddress(listenVar, flags.listen ?? env.GRPC_LISTEN_ADDR ?? `127.0.0.1:${DEFAULT_GRPC_PORTS[name]}`),
    deadlineMs: int("GRPC_DEADLINE_MS", flags["deadline-ms"] ?? env.GRPC_DEADLINE_MS, 5_000, 1),
    // The same bound as NATS_MAX_ACK_PENDING: each server works on at most this many calls, which also bounds its memory.
    maxInFlight: int("GRPC_MAX_IN_FLIGHT", flags["max-in-flight"] ?? env.GRPC_MAX_IN_FLIGHT, 256, 0),
  };
  if (name === "order") {
    config.billing =
      flags["billing-addr"] !== undefined
        ? parseAddressList("--billing-addr", flags["billing-addr"])
        : parseAddressList("BILLING_SERVICE_ADDR", env.BILLING_SERVICE_ADDR);
    config.notification =
      flags["notification-addr"] !== undefined
        ? parseAddressList("--notification-addr", flags["notification-addr"])
        : parseAddressList("NOTIFICATION_SERVICE_ADDR", env.NOTIFICATION_SERVICE_ADDR);
  }
  return config;
}

export function natsConfig(name: ServiceName, flags: ParsedArgs["flags"] = {}, env: Env = process.env): NatsConfig {
  const natsUrl = flags["nats-url"] ?? env.NATS_URL;
  if (!natsUrl) throw new ConfigError("NATS_URL is not set: give the broker's address, e.g. nats://127.0.0.1:4222 (a comma-separated list for a cluster)");
  for (const url of natsUrl.split(",")) {
    if (!/^(nats|tls|ws|wss):\/\/[^\s/]+(:\d+)?$|^[^\s/:]+:\d+$/.test(url.trim()))
      throw new ConfigError(`NATS_URL: ${JSON.stringify(url)} is not nats://host:port`);
  }
  const maxAckPending = int("NATS_MAX_ACK_PENDING", flags["max-ack-pending"] ?? env.NATS_MAX_ACK_PENDING, 256, 1);
  return {
    ...common(name, "nats", flags, env),
    natsUrl,
    maxAckPending,
    concurrency: int("NATS_CONCURRENCY", env.NATS_CONCURRENCY, maxAckPending, 1),
    ackWaitMs: int("NATS_ACK_WAIT_MS", env.NATS_ACK_WAIT_MS, 30_000, 1_000),
    maxDeliver: int("NATS_MAX_DELIVER", env.NATS_MAX_DELIVER, 5, 1),
    stallAfterMs: int("NATS_STALL_AFTER_MS", env.NATS_STALL_AFTER_MS, 60_000, 0),
    strandedCheckMs: int("NATS_STRANDED_CHECK_MS", env.NATS_STRANDED_CHECK_MS, 5_000, 0),
    duplicateWindowMs: int("NATS_DUPLICATE_WINDOW_MS", env.NATS_DUPLICATE_WINDOW_MS, 120_000, 100),
    streamReplicas: int(
      flags["stream-replicas"] !== undefined ? "--stream-replicas" : "NATS_STREAM_REPLICAS",
      flags["stream-replicas"] ?? env.NATS_STREAM_REPLICAS,
      1,
      1,
    ),
    nkeySeedFile: flags["nkey-file"] ?? (env.NATS_NKEY_SEED_FILE || undefined),
    publishRetryMs: int("NATS_PUBLISH_RETRY_MS", env.NATS_PUBLISH_RETRY_MS, 20_000, 0),
  };
}
