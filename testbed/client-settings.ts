import { tlsConfig, type TlsConfig } from "../services/common/tls-config.js";
import { readSeed } from "../services/nats/connection.js";

/** The flags every client tool takes, as the services do (each overrides its environment variable). */
export const CLIENT_FLAGS = {
  "tls-ca": { type: "string" },
  "tls-cert": { type: "string" },
  "tls-key": { type: "string" },
  "nkey-seed": { type: "string" },
} as const;

export interface ClientFlags {
  "tls-ca"?: string;
  "tls-cert"?: string;
  "tls-key"?: string;
  "nkey-seed"?: string;
}

/** Who a client tool is in the secure profile: its certificate (both modes) and its NKey seed (NATS). */
export interface ClientSettings {
  tls?: TlsConfig;
  seedFile?: string;
}

/**
 * TLS_CA_FILE, TLS_CERT_FILE, TLS_KEY_FILE and NATS_NKEY_SEED_FILE (or --tls-ca,
 * --tls-cert, --tls-key, --nkey-seed), read and checked now, so that a missing or
 * garbled file stops the tool at once, named.
 */
export function clientSettings(flags: ClientFlags, env: Record<string, string | undefined>): ClientSettings {
  const tls = tlsConfig(flags, env);
  const seedFile = flags["nkey-seed"] ?? (env.NATS_NKEY_SEED_FILE || undefined);
  if (seedFile) readSeed(seedFile, flags["nkey-seed"] !== undefined ? "--nkey-seed" : "NATS_NKEY_SEED_FILE");
  return { tls, seedFile };
}
