import { Server, type ServiceDefinition, type UntypedServiceImplementation } from "@grpc/grpc-js";
import { MAX_MESSAGE_BYTES } from "../common/limits.js";
import type { Logger } from "../common/logger.js";
import type { TlsConfig } from "../common/tls-config.js";
import { HealthService } from "../gen/grpc/health/v1/health.js";
import { HealthRegistry, Serving } from "./health.js";
import { reflectionFor } from "./reflection.js";
import { logRefusedHandshakes, serverCredentials } from "./security.js";
import { tolerantDecoding } from "./tolerant-decoding.js";

export interface ServiceBinding {
  /** Fully-qualified name, e.g. "shop.v1.BillingService". */
  name: string;
  definition: ServiceDefinition;
  implementation: UntypedServiceImplementation;
}

export interface RunningGrpcServer {
  /** host:port actually bound (port 0 resolved). */
  address: string;
  health: HealthRegistry;
  /** Stop taking calls, let in-flight ones finish for up to graceMs, then force. */
  close(graceMs: number): Promise<void>;
}

/** A server for the bindings, with health and reflection; with `tls`, every caller must present a certificate from its CA. */
export async function startGrpcServer(listen: string, bindings: readonly ServiceBinding[], log: Logger, tls?: TlsConfig): Promise<RunningGrpcServer> {
  // Larger requests are refused by grpc-js with RESOURCE_EXHAUSTED before any handler runs.
  const server = new Server({
    "grpc.max_receive_message_length": MAX_MESSAGE_BYTES,
    // The callers' keepalive pings (channelOptions: every 5 s, with or without calls) are welcome.
    "grpc.keepalive_permit_without_calls": 1,
    "grpc.http2.min_ping_interval_without_data_ms": 1_000,
  });
  const names = bindings.map((b) => b.name);
  const health = new HealthRegistry(names);
  for (const b of bindings) server.addService(tolerantDecoding(b.definition), b.implementation);
  server.addService(HealthService, health.server);
  reflectionFor([...names, "grpc.health.v1.Health"]).addToServer(server);

  const port = await new Promise<number>((resolve, reject) => server.bindAsync(listen, serverCredentials(tls), (err, p) => (err ? reject(err) : resolve(p))));
  if (tls) logRefusedHandshakes(server, log);
  const address = listen.replace(/:\d+$/, `:${port}`);
  log.info("gRPC server listening", { address, services: names.join(","), tls: tls ? `mutual, as ${tls.identity}` : "off" });

  let closing: Promise<void> | undefined;
  return {
    address,
    health,
    close(graceMs: number) {
      closing ??= new Promise<void>((resolve) => {
        health.setAll(Serving.NOT_SERVING);
        health.endWatches();
        const force = setTimeout(() => {
          log.warn("grace period over; cancelling calls still in flight", { graceMs });
          server.forceShutdown();
          resolve();
        }, graceMs);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      });
      return closing;
    },
  };
}
