import { readFileSync } from "node:fs";
import { connect } from "nats";
import { natsConfig } from "../../services/common/config.js";
import { credentialOptions, type NatsCredentials } from "../../services/nats/connection.js";
import { provisionAll } from "../../services/nats/topology.js";
import type { NatsIdentity } from "../../services/nats/permissions.js";
import type { CertificateSet } from "./certs.js";
import { freePort } from "./free-port.js";
import { writeNatsConfig, type SecureNatsFiles } from "./nats-config.js";
import { startNatsServer, type ManagedNatsServer } from "./nats-server.js";
import type { NatsSync } from "./nats-config.js";

/** An identity's PEM material from a certificate set. */
export function pemOf(certs: CertificateSet, identity: string): NatsCredentials["tls"] {
  const f = certs.files[identity]!;
  return { ca: readFileSync(certs.ca), cert: readFileSync(f.cert), key: readFileSync(f.key) };
}

/** The environment that makes a service (or script) connect as `identity`: its seed and its certificate. */
export function secureEnv(files: SecureNatsFiles, certs: CertificateSet, identity: NatsIdentity): Record<string, string> {
  const f = certs.files[identity]!;
  return { NATS_NKEY_SEED_FILE: files.seeds[identity], TLS_CA_FILE: certs.ca, TLS_CERT_FILE: f.cert, TLS_KEY_FILE: f.key };
}

/** How `identity` connects: for clients and the tests' own connections. */
export function credentialsOf(files: SecureNatsFiles, certs: CertificateSet, identity: NatsIdentity): NatsCredentials {
  return { identity, seedFile: files.seeds[identity], tls: pemOf(certs, identity) };
}

/** Creates every stream and consumer as admin, with the topology settings of `env` (NATS_ACK_WAIT_MS, …). */
export async function provisionAsAdmin(url: string, credentials: NatsCredentials, env: Record<string, string | undefined> = {}): Promise<void> {
  const c = natsConfig("order", {}, { ...env, NATS_URL: url });
  const nc = await connect({ servers: url.split(",").map((s) => s.trim()), ...credentialOptions(credentials) });
  try {
    await provisionAll(await nc.jetstreamManager(), c);
  } finally {
    await nc.close();
  }
}

export interface SecureNats {
  server: ManagedNatsServer;
  files: SecureNatsFiles;
}

/**
 * A managed nats-server in the secure profile: the config of writeNatsConfig
 * (NKey users with least privilege, TLS with client verification) under
 * `dir`, and every stream and consumer provisioned as admin.
 */
export async function startSecureNats(
  dir: string,
  certs: CertificateSet,
  env: Record<string, string | undefined> = {},
  sync: NatsSync = "default",
): Promise<SecureNats> {
  const port = await freePort();
  const monitorPort = await freePort();
  const files = writeNatsConfig({ out: dir, port, monitorPort, tlsDir: certs.dir, sync });
  const admin = credentialsOf(files, certs, "admin");
  const server = await startNatsServer({
    storeDir: files.storeDir,
    port,
    secure: { configFile: files.confFile, monitorPort, connect: credentialOptions(admin) },
  });
  try {
    await provisionAsAdmin(server.url, admin, env);
  } catch (err) {
    await server.stop();
    throw err;
  }
  return { server, files };
}
