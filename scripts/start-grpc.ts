// npm run start:grpc [-- --secure] [--replicas billing=2,notification=2]: the three gRPC services as
// separate processes; Ctrl-C stops them all. --secure: mutual TLS everywhere, with certificates under
// DATA_DIR/tls (created when missing). --replicas: more processes of a service, each on its own port
// (the default port + 10 per replica), sharing its database; the order service is given every
// replica's address and balances its calls over them (round_robin).
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { DEFAULT_GRPC_PORTS, SERVICE_NAMES } from "../services/common/config.js";
import { ensureCertificates } from "./lib/certs.js";
import { grpcServiceEnv } from "./lib/grpc-topology.js";
import { loopbackHost } from "./lib/loopback.js";
import { ProcessGroup, SERVICE_ENTRY } from "./lib/process-group.js";
import { parseReplicas, replicaName } from "./lib/replicas.js";

const { values } = parseArgs({ options: { secure: { type: "boolean", default: false }, replicas: { type: "string" } } });
const replicas = parseReplicas(values.replicas);
const DATA_DIR = process.env.DATA_DIR ?? "./data/grpc";
const certs = values.secure ? ensureCertificates(resolve(join(DATA_DIR, "tls"))) : undefined;

const port = (name: (typeof SERVICE_NAMES)[number], index: number) => DEFAULT_GRPC_PORTS[name] + 10 * index;
const addresses = (name: (typeof SERVICE_NAMES)[number]) =>
  Array.from({ length: replicas[name] }, (_, i) => `${loopbackHost(!!certs)}:${port(name, i)}`).join(",");

const group = new ProcessGroup();
for (const name of SERVICE_NAMES) {
  for (let i = 0; i < replicas[name]; i++) {
    const env: Record<string, string> = { ...grpcServiceEnv(name), GRPC_LISTEN_ADDR: `127.0.0.1:${port(name, i)}` };
    if (name === "order") {
      env.BILLING_SERVICE_ADDR = addresses("billing");
      env.NOTIFICATION_SERVICE_ADDR = addresses("notification");
      // Addresses the user exported win over the defaults.
      for (const key of ["BILLING_SERVICE_ADDR", "NOTIFICATION_SERVICE_ADDR"]) if (process.env[key]) env[key] = process.env[key];
    }
    if (certs) Object.assign(env, { TLS_CA_FILE: certs.ca, TLS_CERT_FILE: certs.files[name]!.cert, TLS_KEY_FILE: certs.files[name]!.key });
    group.spawnScript(replicaName(name, i), SERVICE_ENTRY, [name, "--mode", "grpc"], env);
  }
}
if (certs) {
  const c = certs.files.client!;
  process.stderr.write(
    `[start:grpc] mutual TLS; certificates in ${certs.dir}. As the client identity:\n` +
      `  grpcurl -cacert ${certs.ca} -cert ${c.cert} -key ${c.key} localhost:50051 list\n`,
  );
}

group.superviseUntilStopped();
