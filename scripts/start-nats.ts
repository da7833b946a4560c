// npm run start:nats [-- --secure | --cluster N] [--sync always] [--replicas billing=2]: the three NATS services as
// separate processes, from the source; Ctrl-C stops them all. Without NATS_URL it first starts a managed
// nats-server (JetStream on file storage under DATA_DIR, port 4222 when free) and stops it on exit.
// --secure: the managed server runs the secure profile (NKey users with least privilege, mutual TLS;
// certificates under DATA_DIR/tls, config and seeds under DATA_DIR/nats-secure), provisioned as admin,
// and each service connects with its own seed and certificate. --cluster 3: a managed JetStream cluster
// of three nats-servers (their own ports, routes and stores under DATA_DIR/cluster), every stream with
// three replicas (NATS_STREAM_REPLICAS unless set), and the services given every server's URL.
// --replicas billing=2,notification=2: more processes of a service on the same durable consumer;
// nothing else is told of them.
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { ensureCertificates } from "../testbed/certs.js";
import { natsSync } from "../testbed/nats-config.js";
import { describeNatsServer } from "../testbed/nats-server.js";
import { recordNatsUrl } from "../testbed/nats-url-file.js";
import { parseReplicas } from "../testbed/replicas.js";
import { startStack } from "../testbed/stack/start-stack.js";

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { secure: { type: "boolean", default: false }, cluster: { type: "string" }, replicas: { type: "string" }, sync: { type: "string" } },
  });
  // --sync always (or NATS_SYNC=always): the managed brokers fsync before every acknowledgement.
  const sync = natsSync(values.sync ?? process.env.NATS_SYNC, values.sync !== undefined ? "--sync" : "NATS_SYNC");
  const clusterSize = values.cluster === undefined ? 1 : Number(values.cluster);
  if (values.cluster !== undefined && (!Number.isInteger(clusterSize) || clusterSize < 1 || clusterSize > 7))
    throw new Error(`--cluster: ${JSON.stringify(values.cluster)} must be a number of servers from 1 to 7`);
  const natsUrl = process.env.NATS_URL || undefined;
  if (clusterSize > 1 && (values.secure || natsUrl)) throw new Error("--cluster starts its own servers in the plain profile; drop --secure and NATS_URL");
  if (values.secure && natsUrl) throw new Error("--secure starts its own managed nats-server; unset NATS_URL");
  const dataDir = resolve(process.env.DATA_DIR ?? "./data/nats");
  const certs = values.secure ? ensureCertificates(join(dataDir, "tls")) : undefined;
  if (!natsUrl) process.stderr.write(`[start:nats] ${describeNatsServer()}\n`);
  const stack = await startStack({
    mode: "nats",
    where: "processes",
    dataDir,
    natsUrl,
    secure: certs,
    cluster: clusterSize,
    sync,
    replicas: parseReplicas(values.replicas),
    // NATS_STREAM_REPLICAS, when exported, wins over the cluster's size.
    env: {
      LOG_LEVEL: process.env.LOG_LEVEL ?? "info",
      ...(process.env.NATS_STREAM_REPLICAS ? { NATS_STREAM_REPLICAS: process.env.NATS_STREAM_REPLICAS } : {}),
    },
    fromSource: true,
    defaultPorts: true,
    logFile: "-",
    supervise: true,
  });
  const nodes = [...stack.brokerNodes()];
  if (nodes.length > 0) recordNatsUrl(dataDir, stack.natsUrl, nodes[0]![1].monitorUrl);
  if (stack.cluster)
    process.stderr.write(
      `[start:nats] JetStream cluster of ${nodes.length} (every peer current) at ${stack.natsUrl}; streams with ${stack.envs.get("order")!.NATS_STREAM_REPLICAS} replicas\n` +
        nodes.map(([name, n]) => `  ${name}: ${n.url} (store ${n.storeDir}; monitoring ${n.monitorUrl}/jsz)`).join("\n") +
        "\n",
    );
  else if (certs) {
    const admin = stack.identity("admin")!.env;
    const server = nodes[0]![1];
    process.stderr.write(
      `[start:nats] secure nats-server ${server.version} at ${stack.natsUrl} (config under ${join(dataDir, "nats-secure")}; monitoring ${server.monitorUrl}/varz)\n` +
        `  as admin: NATS_NKEY_SEED_FILE=${admin.NATS_NKEY_SEED_FILE} TLS_CA_FILE=${admin.TLS_CA_FILE} TLS_CERT_FILE=${admin.TLS_CERT_FILE} TLS_KEY_FILE=${admin.TLS_KEY_FILE} npm run nats:status\n`,
    );
  } else if (nodes.length > 0) {
    const server = nodes[0]![1];
    process.stderr.write(
      `[start:nats] managed nats-server ${server.version} at ${stack.natsUrl} (store ${server.storeDir}; monitoring ${server.monitorUrl}/varz, /jsz)\n`,
    );
  } else process.stderr.write(`[start:nats] the services on the broker at ${stack.natsUrl}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`start:nats failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
