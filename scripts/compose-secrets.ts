// The compose file's one-shot `secrets` job: node dist/scripts/compose-secrets.js DIR
// Creates, when missing, the development CA and certificates (DIR/tls) and the secure nats-server
// config with one NKey seed per identity (DIR/nats), and one config per node of the three-node cluster
// (nats-1.conf … nats-3.conf, the same users and seeds), for the containers to mount. Run as root, it
// hands the files to SECRETS_OWNER (uid:gid), the user the services run as.
import { chownSync, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { ensureCertificates } from "../testbed/certs.js";
import { natsSync, writeNatsConfig } from "../testbed/nats-config.js";

function chownTree(path: string, uid: number, gid: number): void {
  chownSync(path, uid, gid);
  if (statSync(path).isDirectory()) for (const entry of readdirSync(path)) chownTree(join(path, entry), uid, gid);
}

const dir = resolve(process.argv[2] ?? "/secrets");
const certs = ensureCertificates(join(dir, "tls"));
const natsDir = join(dir, "nats");
// Each broker container listens on every interface and keeps JetStream in its own volume.
const NODES = ["nats-1", "nats-2", "nats-3"];
// NATS_SYNC=always: every node fsyncs before it acknowledges (the power-loss-safe variant). The configs are
// written at every run (the seeds and certificates are kept), so that the setting of this run applies.
const sync = natsSync(process.env.NATS_SYNC);
for (const node of NODES) {
  const routes = NODES.map((n) => `nats-route://${n}:6222`);
  writeNatsConfig({
    out: natsDir,
    confName: `${node}.conf`,
    port: 4222,
    monitorPort: 8222,
    host: "0.0.0.0",
    storeDir: "/data",
    tlsDir: certs.dir,
    cluster: { serverName: node, name: "shop", port: 6222, routes },
    sync,
  });
}
const owner = process.env.SECRETS_OWNER;
if (owner && process.getuid?.() === 0) {
  const [uid, gid] = owner.split(":").map(Number);
  chownTree(dir, uid!, gid ?? uid!);
}
console.log(`secrets ready in ${dir}`);
