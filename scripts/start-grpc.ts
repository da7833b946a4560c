// npm run start:grpc [-- --secure]: the three gRPC services as separate processes; Ctrl-C stops them all.
// --secure: mutual TLS everywhere, with certificates under DATA_DIR/tls (created when missing).
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { SERVICE_NAMES } from "../services/common/config.js";
import { ensureCertificates } from "./lib/certs.js";
import { grpcServiceEnv } from "./lib/grpc-topology.js";
import { ProcessGroup } from "./lib/process-group.js";

const { values } = parseArgs({ options: { secure: { type: "boolean", default: false } } });
const DATA_DIR = process.env.DATA_DIR ?? "./data/grpc";
const certs = values.secure ? ensureCertificates(resolve(join(DATA_DIR, "tls"))) : undefined;

const group = new ProcessGroup();
for (const name of SERVICE_NAMES) {
  // Addresses the user exported win over the defaults, e.g. a list of billing replicas.
  const env = { ...grpcServiceEnv(name) };
  for (const key of ["BILLING_SERVICE_ADDR", "NOTIFICATION_SERVICE_ADDR"]) if (name === "order" && process.env[key]) env[key] = process.env[key]!;
  if (certs) Object.assign(env, { TLS_CA_FILE: certs.ca, TLS_CERT_FILE: certs.files[name]!.cert, TLS_KEY_FILE: certs.files[name]!.key });
  group.spawnScript(name, "scripts/service.ts", [name, "--mode", "grpc"], env);
}
if (certs) {
  const c = certs.files.client!;
  process.stderr.write(
    `[start:grpc] mutual TLS; certificates in ${certs.dir}. As the client identity:\n` +
      `  grpcurl -cacert ${certs.ca} -cert ${c.cert} -key ${c.key} 127.0.0.1:50051 list\n`,
  );
}

group.superviseUntilStopped();
