import { ConfigError } from "../services/common/config-error.js";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createUser, fromSeed } from "nkeys.js";
import { NATS_IDENTITIES, permissionsOf, type NatsIdentity } from "../services/nats/permissions.js";

export interface SecureNatsFiles {
  dir: string;
  confFile: string;
  storeDir: string;
  /** One seed file per identity: DIR/nkeys/<identity>.nk. */
  seeds: Record<NatsIdentity, string>;
  /** Public keys by identity, as the config names the users. */
  publicKeys: Record<NatsIdentity, string>;
}

export interface NatsConfigOptions {
  out: string;
  port: number;
  /** The address to listen on (127.0.0.1; 0.0.0.0 in a container). */
  host?: string;
  /** JetStream's store (DIR/jetstream). */
  storeDir?: string;
  /** The HTTP monitoring port (/varz, /jsz, /healthz); none when undefined. */
  monitorPort?: number;
  /** A directory with ca.pem and nats.pem/nats-key.pem (npm run certs): TLS with client verification. */
  tlsDir?: string;
  /** A node of a JetStream cluster: its server name, the cluster's name, its route port and the routes to every node. */
  cluster?: { serverName: string; name: string; port: number; routes: string[] };
  /** The config file's name under DIR (nats.conf); a cluster has one per node, sharing the seeds. */
  confName?: string;
  /** "always": sync_interval: always, JetStream fsyncs before every acknowledgement. */
  sync?: NatsSync;
  /** The server's feature flags (2.14+), e.g. { js_ack_fc_v2: true }: acks on the new subject format. */
  featureFlags?: Record<string, boolean>;
}

/** How JetStream flushes its store: "default" (about every 2 minutes, and on shutdown) or "always" (before every acknowledgement). */
export type NatsSync = "default" | "always";

/** NATS_SYNC or --sync: "default" or "always"; anything else is a configuration error naming where it came from. */
export function natsSync(value: string | undefined, source = "NATS_SYNC"): NatsSync {
  if (value === undefined || value === "" || value === "default") return "default";
  if (value === "always") return "always";
  throw new ConfigError(`${source}: ${JSON.stringify(value)} must be "always" (fsync before every acknowledgement) or "default"`);
}

const quote = (s: string) => JSON.stringify(s);
const list = (items: readonly string[]) => `[${items.map(quote).join(", ")}]`;

/** The seed of an identity, made with the nkeys library the client uses, and kept when it exists. */
function seedFor(dir: string, identity: NatsIdentity): { file: string; publicKey: string } {
  const file = join(dir, `${identity}.nk`);
  if (!existsSync(file)) {
    const user = createUser();
    writeFileSync(file, `${new TextDecoder().decode(user.getSeed())}\n`, { mode: 0o600 });
    chmodSync(file, 0o600);
  }
  const seed = readFileSync(file, "utf8").trim();
  return { file, publicKey: fromSeed(new TextEncoder().encode(seed)).getPublicKey() };
}

/**
 * One NKey user per identity (its seed under `nkeyDir`, kept when it exists) with its
 * least-privilege permissions (services/nats/permissions.ts), as a config's authorization block.
 */
export function natsUsers(nkeyDir: string): { seeds: Record<NatsIdentity, string>; publicKeys: Record<NatsIdentity, string>; authorization: string } {
  mkdirSync(nkeyDir, { recursive: true });
  const seeds = {} as Record<NatsIdentity, string>;
  const publicKeys = {} as Record<NatsIdentity, string>;
  const users: string[] = [];
  for (const identity of NATS_IDENTITIES) {
    const { file, publicKey } = seedFor(nkeyDir, identity);
    seeds[identity] = file;
    publicKeys[identity] = publicKey;
    const p = permissionsOf(identity);
    users.push(
      [
        `    # ${identity}`,
        `    { nkey: ${quote(publicKey)}, permissions: {`,
        `        publish: { allow: ${list(p.publish)} }`,
        `        subscribe: { allow: ${list(p.subscribe)} }`,
        ...(p.allowResponses ? ["        allow_responses: true"] : []),
        `    } }`,
      ].join("\n"),
    );
  }
  return { seeds, publicKeys, authorization: ["authorization {", "  users: [", users.join("\n"), "  ]", "}"].join("\n") };
}

/**
 * A complete nats-server config for the secure profile: the listen port,
 * JetStream with its store under DIR, one NKey user per identity with
 * least-privilege permissions (services/nats/permissions.ts), and TLS with
 * client verification when a certificate directory is given.
 */
export function writeNatsConfig(o: NatsConfigOptions): SecureNatsFiles {
  const nkeyDir = join(o.out, "nkeys");
  const storeDir = o.storeDir ?? join(o.out, "jetstream");
  const host = o.host ?? "127.0.0.1";
  mkdirSync(nkeyDir, { recursive: true });
  if (!o.storeDir) mkdirSync(storeDir, { recursive: true });
  const { seeds, publicKeys, authorization } = natsUsers(nkeyDir);
  const lines = [
    "# Written by npm run nats:config: the secure profile. Identities and permissions: docs/security.md.",
    `listen: "${host}:${o.port}"`,
    ...(o.monitorPort !== undefined ? [`http: "${host}:${o.monitorPort}"`] : []),
    ...(o.cluster
      ? [
          `server_name: ${quote(o.cluster.serverName)}`,
          `cluster { name: ${quote(o.cluster.name)}, listen: "${host}:${o.cluster.port}", routes: ${list(o.cluster.routes)} }`,
        ]
      : []),
    `jetstream { store_dir: ${quote(storeDir)}${o.sync === "always" ? ", sync_interval: always" : ""} }`,
    ...(o.featureFlags && Object.keys(o.featureFlags).length > 0
      ? [
          `feature_flags { ${Object.entries(o.featureFlags)
            .map(([k, v]) => `${k}: ${v}`)
            .join(", ")} }`,
        ]
      : []),
    ...(o.tlsDir
      ? [
          "tls {",
          `  cert_file: ${quote(join(o.tlsDir, "nats.pem"))}`,
          `  key_file: ${quote(join(o.tlsDir, "nats-key.pem"))}`,
          `  ca_file: ${quote(join(o.tlsDir, "ca.pem"))}`,
          "  verify: true",
          "  timeout: 2",
          "}",
        ]
      : []),
    authorization,
    "",
  ];
  const confFile = join(o.out, o.confName ?? "nats.conf");
  writeFileSync(confFile, lines.join("\n"));
  return { dir: o.out, confFile, storeDir, seeds, publicKeys };
}
