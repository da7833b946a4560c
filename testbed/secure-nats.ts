import { connect } from "nats";
import { natsConfig } from "../services/common/config.js";
import { credentialOptions, type NatsCredentials } from "../services/nats/connection.js";
import { jetStreamManagerWhenReady, provisionAll } from "../services/nats/topology.js";
import type { CertificateSet } from "./certs.js";
import { freePort } from "./free-port.js";
import { identity } from "./identity.js";
import { writeNatsConfig, type SecureNatsFiles } from "./nats-config.js";
import { startNatsServer, type ManagedNatsServer } from "./nats-server.js";
import type { NatsSync } from "./nats-config.js";

/** Creates every stream and consumer as admin, with the topology settings of `env` (NATS_ACK_WAIT_MS, …). */
export async function provisionAsAdmin(url: string, credentials: NatsCredentials, env: Record<string, string | undefined> = {}): Promise<void> {
  const c = natsConfig("order", {}, { ...env, NATS_URL: url });
  const nc = await connect({ servers: url.split(",").map((s) => s.trim()), ...credentialOptions(credentials) });
  try {
    await provisionAll(await jetStreamManagerWhenReady(nc), c);
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
  more: { featureFlags?: Record<string, boolean>; binary?: string } = {},
): Promise<SecureNats> {
  const port = await freePort();
  const monitorPort = await freePort();
  const files = writeNatsConfig({ out: dir, port, monitorPort, tlsDir: certs.dir, sync, featureFlags: more.featureFlags });
  const admin = identity(certs, "admin", files.seeds).nats();
  const server = await startNatsServer({
    storeDir: files.storeDir,
    port,
    binary: more.binary,
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
