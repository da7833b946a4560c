// npm run start:grpc: the three gRPC services as separate processes; Ctrl-C stops them all.
import { SERVICE_NAMES } from "../services/common/config.js";
import { grpcServiceEnv } from "./lib/grpc-topology.js";
import { ProcessGroup } from "./lib/process-group.js";

const group = new ProcessGroup();
for (const name of SERVICE_NAMES) {
  // Addresses the user exported win over the defaults, e.g. a list of billing replicas.
  const env = { ...grpcServiceEnv(name) };
  for (const key of ["BILLING_SERVICE_ADDR", "NOTIFICATION_SERVICE_ADDR"]) if (name === "order" && process.env[key]) env[key] = process.env[key]!;
  group.spawnScript(name, "scripts/service.ts", [name, "--mode", "grpc"], env);
}

group.superviseUntilStopped();
