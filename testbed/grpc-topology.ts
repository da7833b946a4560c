import { loopbackHost } from "./loopback.js";
import { DEFAULT_GRPC_PORTS, type ServiceName } from "../services/common/config.js";

export type GrpcPorts = Record<ServiceName, number>;

/** Listen and downstream addresses of one service when the project runs all three on one host. */
export function grpcServiceEnv(name: ServiceName, ports: GrpcPorts = DEFAULT_GRPC_PORTS, secure = false): Record<string, string> {
  const env: Record<string, string> = { GRPC_LISTEN_ADDR: `127.0.0.1:${ports[name]}` };
  if (name === "order") {
    env.BILLING_SERVICE_ADDR = `${loopbackHost(secure)}:${ports.billing}`;
    env.NOTIFICATION_SERVICE_ADDR = `${loopbackHost(secure)}:${ports.notification}`;
  }
  return env;
}
