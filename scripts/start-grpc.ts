// npm run start:grpc [-- --secure] [--replicas billing=2,notification=2]: the three gRPC services as
// separate processes on their default ports (50051-50053), from the source; Ctrl-C stops them all.
// --secure: mutual TLS everywhere, with certificates under DATA_DIR/tls (created when missing).
// --replicas: more processes of a service, each on its own port (the default port + 10 per replica),
// sharing its database; the order service is given every replica's address and balances its calls
// over them (round_robin). BILLING_SERVICE_ADDR and NOTIFICATION_SERVICE_ADDR, when exported, win.
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { ensureCertificates } from "../testbed/certs.js";
import { parseReplicas } from "../testbed/replicas.js";
import { startStack } from "../testbed/stack/start-stack.js";

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { secure: { type: "boolean", default: false }, replicas: { type: "string" } } });
  const dataDir = resolve(process.env.DATA_DIR ?? "./data/grpc");
  const certs = values.secure ? ensureCertificates(join(dataDir, "tls")) : undefined;
  const exported = Object.fromEntries(["BILLING_SERVICE_ADDR", "NOTIFICATION_SERVICE_ADDR"].flatMap((k) => (process.env[k] ? [[k, process.env[k]]] : [])));
  const stack = await startStack({
    mode: "grpc",
    where: "processes",
    dataDir,
    secure: certs,
    replicas: parseReplicas(values.replicas),
    env: { LOG_LEVEL: process.env.LOG_LEVEL ?? "info" },
    serviceEnv: { order: exported },
    fromSource: true,
    defaultPorts: true,
    logFile: "-",
    supervise: true,
  });
  process.stderr.write(`[start:grpc] the order service at ${stack.entry}; data in ${dataDir}\n`);
  if (certs) {
    const c = certs.files.client!;
    process.stderr.write(
      `[start:grpc] mutual TLS; certificates in ${certs.dir}. As the client identity:\n` +
        `  grpcurl -cacert ${certs.ca} -cert ${c.cert} -key ${c.key} localhost:50051 list\n`,
    );
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`start:grpc failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
