import { readFileSync } from "node:fs";
import { connect, Events, nkeyAuthenticator, type ConnectionOptions, type NatsConnection } from "nats";
import { fromSeed } from "nkeys.js";
import { ConfigError } from "../common/config-error.js";
import type { Logger } from "../common/logger.js";
import type { TlsConfig } from "../common/tls-config.js";
import { inboxPrefix } from "./permissions.js";

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
 * One connection per service for its whole life. It waits for the broker at
 * start and reconnects forever, so services and nats-server may start and
 * restart in any order.
 */
export async function connectNats(servers: string, name: string, log: Logger, credentials?: NatsCredentials): Promise<NatsConnection> {
  const nc = await connect({
    servers: servers.split(",").map((s) => s.trim()),
    name,
    waitOnFirstConnect: true,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    pingInterval: 10_000,
    // Without this, every request and JetStream publish captures a stack trace for its
    // possible error: measured at about a tenth of the order service's CPU.
    noAsyncTraces: true,
    ...credentialOptions(credentials),
  });
  log.info("connected to NATS", { server: nc.getServer(), identity: credentials?.seedFile ? credentials.identity : undefined, tls: Boolean(credentials?.tls) });
  void (async () => {
    for await (const s of nc.status()) {
      if (s.type === Events.Disconnect || s.type === Events.Reconnect || s.type === Events.Error) log.warn(`NATS ${s.type}`, { data: s.data });
    }
  })();
  return nc;
}
