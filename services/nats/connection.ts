import { readFileSync } from "node:fs";
import { connect, Events, nkeyAuthenticator, type ConnectionOptions, type NatsConnection } from "nats";
import { fromSeed } from "nkeys.js";
import { ConfigError } from "../common/config-error.js";
import type { Logger } from "../common/logger.js";
import type { TlsConfig } from "../common/tls-config.js";
import { inboxPrefix } from "./permissions.js";
import { coalesceWrites } from "./write-coalescing.js";

/** Who a connection is in the secure profile: an NKey, its private inbox, and TLS. */
export interface NatsCredentials {
  /** The identity the permissions are written for; its inbox prefix is _INBOX_<identity>. */
  identity: string;
  /** NATS_NKEY_SEED_FILE: the user's seed. */
  seedFile?: string;
  /** Mutual TLS with the broker. */
  tls?: Pick<TlsConfig, "ca" | "cert" | "key">;
}

/** Reads and checks an NKey user seed; a garbled file stops the process at start, named. */
export function readSeed(file: string, variable = "NATS_NKEY_SEED_FILE"): Uint8Array {
  let text: string;
  try {
    text = readFileSync(file, "utf8").trim();
  } catch (err) {
    throw new ConfigError(`${variable}: cannot read ${file}: ${(err as Error).message}`, { cause: err });
  }
  const seed = new TextEncoder().encode(text);
  try {
    fromSeed(seed).getPublicKey();
  } catch (err) {
    throw new ConfigError(`${variable}: ${file} is not an NKey seed (${(err as Error).message})`, { cause: err });
  }
  if (!text.startsWith("SU")) throw new ConfigError(`${variable}: ${file} is not a user seed (it must start with SU)`);
  return seed;
}

/** Connection options for credentials: NKey authentication, a private inbox, TLS. */
export function credentialOptions(c: NatsCredentials | undefined): Partial<ConnectionOptions> {
  if (!c) return {};
  const options: Partial<ConnectionOptions> = {};
  if (c.seedFile) {
    options.authenticator = nkeyAuthenticator(readSeed(c.seedFile));
    options.inboxPrefix = inboxPrefix(c.identity);
  }
  if (c.tls) options.tls = { ca: c.tls.ca.toString(), cert: c.tls.cert.toString(), key: c.tls.key.toString() };
  return options;
}

/**
 * Connects with the client settings every connection of the project uses, the
 * lab's bare chain included, so that the lab compares like with like: no async
 * stack trace captured per request (measured at about a tenth of the order
 * service's CPU), and one socket write per event-loop turn (write-coalescing.ts).
 * `untuned` hears when the client is not the one the write coalescing knows.
 */
export async function connectTuned(options: ConnectionOptions, untuned?: () => void): Promise<NatsConnection> {
  const nc = await connect({ ...options, noAsyncTraces: true });
  if (!coalesceWrites(nc)) untuned?.();
  return nc;
}

/**
 * One connection per service for its whole life. It waits for the broker at
 * start and reconnects forever, so services and nats-server may start and
 * restart in any order. A tool (`firstConnectTimeoutMs`) instead fails when
 * the first connection is refused, rejected or not made in time, saying why.
 */
export async function connectNats(
  servers: string,
  name: string,
  log: Logger,
  credentials?: NatsCredentials,
  firstConnectTimeoutMs?: number,
): Promise<NatsConnection> {
  const failFast = firstConnectTimeoutMs !== undefined ? { waitOnFirstConnect: false, timeout: firstConnectTimeoutMs } : { waitOnFirstConnect: true };
  const nc = await connectTuned(
    {
      servers: servers.split(",").map((s) => s.trim()),
      name,
      ...failFast,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
      pingInterval: 10_000,
      ...credentialOptions(credentials),
    },
    () => log.warn("NATS client internals changed: each command is written on its own"),
  );
  log.info("connected to NATS", { server: nc.getServer(), identity: credentials?.seedFile ? credentials.identity : undefined, tls: Boolean(credentials?.tls) });
  void (async () => {
    for await (const s of nc.status()) {
      if (s.type === Events.Disconnect || s.type === Events.Reconnect || s.type === Events.Error) log.warn(`NATS ${s.type}`, { data: s.data });
    }
  })();
  return nc;
}
