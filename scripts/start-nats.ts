// npm run start:nats [-- --secure | --cluster N] [--sync always]: the three NATS services as separate processes. Without NATS_URL it
// first starts a managed nats-server (JetStream on file storage under DATA_DIR) and stops it on exit.
// --secure: the managed server runs the secure profile (NKey users with least privilege, mutual TLS;
// certificates under DATA_DIR/tls, config and seeds under DATA_DIR/nats-secure), provisioned as admin,
// and each service connects with its own seed and certificate. --cluster 3: a managed JetStream cluster
// of three nats-servers (their own ports, routes and stores under DATA_DIR/cluster), every stream with
// three replicas (NATS_STREAM_REPLICAS unless set), and the services given every server's URL.
// --replicas billing=2,notification=2: more processes of a service on the same durable consumer;
// nothing else is told of them.
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { SERVICE_NAMES } from "../services/common/config.js";
import { dataPaths } from "../services/common/data-paths.js";
import { ensureCertificates } from "./lib/certs.js";
import { startNatsCluster, type ManagedNatsCluster } from "./lib/nats-cluster.js";
import { natsSync } from "./lib/nats-config.js";
import { describeNatsServer, startNatsServer, type ManagedNatsServer } from "./lib/nats-server.js";
import { identity } from "./lib/identity.js";
import { startSecureNats } from "./lib/secure-nats.js";
import { recordNatsUrl } from "./lib/nats-url-file.js";
import { parseReplicas, replicaName } from "./lib/replicas.js";
import { ProcessGroup, SERVICE_ENTRY } from "./lib/process-group.js";

const DATA_DIR = process.env.DATA_DIR ?? "./data/nats";

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { secure: { type: "boolean", default: false }, cluster: { type: "string" }, replicas: { type: "string" }, sync: { type: "string" } },
  });
  // --sync always (or NATS_SYNC=always): the managed brokers fsync before every acknowledgement.
  const sync = natsSync(values.sync ?? process.env.NATS_SYNC, values.sync !== undefined ? "--sync" : "NATS_SYNC");
  const replicas = parseReplicas(values.replicas);
  const clusterSize = values.cluster === undefined ? 0 : Number(values.cluster);
  if (values.cluster !== undefined && (!Number.isInteger(clusterSize) || clusterSize < 1 || clusterSize > 7))
    throw new Error(`--cluster: ${JSON.stringify(values.cluster)} must be a number of servers from 1 to 7`);
  if (clusterSize > 0 && (values.secure || process.env.NATS_URL))
    throw new Error("--cluster starts its own servers in the plain profile; drop --secure and NATS_URL");
  let cluster: ManagedNatsCluster | undefined;
  mkdirSync(DATA_DIR, { recursive: true });
  let managed: ManagedNatsServer | undefined;
  let natsUrl = process.env.NATS_URL;
  const perService: Record<string, Record<string, string>> = {};
  if (!natsUrl || clusterSize > 0) process.stderr.write(`[start:nats] ${describeNatsServer()}\n`);
  if (clusterSize > 0) {
    cluster = await startNatsCluster({
      dir: resolve(join(DATA_DIR, "cluster")),
      size: clusterSize,
      sync,
      onOutput: (node, line) => {
        if (process.env.LOG_LEVEL === "debug" || /\[(WRN|ERR|FTL)\]/.test(line)) process.stderr.write(`[nats-server ${node}] ${line}\n`);
      },
    });
    natsUrl = cluster.url;
    const replicas = process.env.NATS_STREAM_REPLICAS ?? String(Math.min(3, clusterSize));
    for (const name of SERVICE_NAMES) perService[name] = { NATS_STREAM_REPLICAS: replicas };
    recordNatsUrl(DATA_DIR, natsUrl, cluster.nodes[0]!.monitorUrl);
    process.stderr.write(
      `[start:nats] JetStream cluster of ${clusterSize} (meta leader elected) at ${natsUrl}; streams with ${replicas} replicas\n` +
        cluster.nodes.map((n, i) => `  n${i + 1}: ${n.url} (store ${n.storeDir}; monitoring ${n.monitorUrl}/jsz)`).join("\n") +
        "\n",
    );
  } else if (values.secure) {
    if (natsUrl) throw new Error("--secure starts its own managed nats-server; unset NATS_URL");
    const certs = ensureCertificates(resolve(join(DATA_DIR, "tls")));
    const secured = await startSecureNats(resolve(join(DATA_DIR, "nats-secure")), certs, process.env, sync);
    managed = secured.server;
    natsUrl = managed.url;
    for (const name of SERVICE_NAMES) perService[name] = identity(certs, name, secured.files.seeds).env;
    recordNatsUrl(DATA_DIR, natsUrl, managed.monitorUrl);
    const admin = identity(certs, "admin", secured.files.seeds).env;
    process.stderr.write(
      `[start:nats] secure nats-server ${managed.version} at ${natsUrl} (config ${secured.files.confFile}; monitoring ${managed.monitorUrl}/varz)
` +
        `  as admin: NATS_NKEY_SEED_FILE=${admin.NATS_NKEY_SEED_FILE} TLS_CA_FILE=${admin.TLS_CA_FILE} TLS_CERT_FILE=${admin.TLS_CERT_FILE} TLS_KEY_FILE=${admin.TLS_KEY_FILE} npm run nats:status
`,
    );
  } else if (!natsUrl) {
    managed = await startNatsServer({
      storeDir: dataPaths(DATA_DIR).natsStoreDir,
      preferPort: 4222,
      sync,
      // The server's startup banner is long; warnings and errors are what an operator needs.
      onOutput: (line) => {
        if (process.env.LOG_LEVEL === "debug" || /\[(WRN|ERR|FTL)\]/.test(line)) process.stderr.write(`[nats-server] ${line}\n`);
      },
    });
    natsUrl = managed.url;
    recordNatsUrl(DATA_DIR, natsUrl, managed.monitorUrl);
    process.stderr.write(
      `[start:nats] managed nats-server ${managed.version} at ${natsUrl} (store ${managed.storeDir}; monitoring ${managed.monitorUrl}/varz, /jsz)\n`,
    );
  }

  const group = new ProcessGroup();
  for (const name of SERVICE_NAMES)
    for (let i = 0; i < replicas[name]; i++)
      group.spawnScript(replicaName(name, i), SERVICE_ENTRY, [name, "--mode", "nats"], { NATS_URL: natsUrl, DATA_DIR, ...perService[name] });

  group.superviseUntilStopped(async () => {
    await managed?.stop();
    await cluster?.stop();
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`start:nats failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
