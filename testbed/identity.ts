import { readFileSync } from "node:fs";
import type { NatsCredentials } from "../services/nats/connection.js";
import type { TlsConfig } from "../services/common/tls-config.js";
import type { CertificateSet } from "./certs.js";

/** Who a process or client is in the secure profile, in each form a consumer needs it. */
export interface Identity {
  name: string;
  /** What makes a process (a service or a tool) present it: TLS_* and, with a seed, NATS_NKEY_SEED_FILE. */
  env: Record<string, string>;
  /** Its certificate's PEM material, for a client in this process. */
  pem(): Pick<TlsConfig, "ca" | "cert" | "key">;
  /** How it connects to the broker (its seed and certificate). */
  nats(): NatsCredentials;
}

/** `name`'s identity from a certificate set and, for NATS, the broker's NKey seeds by identity. */
export function identity(certs: CertificateSet, name: string, seeds?: Readonly<Record<string, string>>): Identity {
  const files = certs.files[name];
  if (!files) throw new Error(`no certificate for identity "${name}" in ${certs.dir}`);
  const seedFile = seeds?.[name];
  const pem = () => ({ ca: readFileSync(certs.ca), cert: readFileSync(files.cert), key: readFileSync(files.key) });
  return {
    name,
    env: { TLS_CA_FILE: certs.ca, TLS_CERT_FILE: files.cert, TLS_KEY_FILE: files.key, ...(seedFile ? { NATS_NKEY_SEED_FILE: seedFile } : {}) },
    pem,
    nats: () => ({ identity: name, seedFile, tls: pem() }),
  };
}
