import { Metadata } from "@grpc/grpc-js";
import type { TlsConfig } from "../common/tls-config.js";
import { HealthCheckResponse_ServingStatus, HealthClient } from "../gen/grpc/health/v1/health.js";
import { channelCredentials } from "./security.js";

/** Polls grpc.health.v1 Check until the server answers SERVING or the deadline passes; with `tls`, over mutual TLS. */
export async function waitGrpcHealthy(address: string, timeoutMs = 30_000, tls?: Pick<TlsConfig, "ca" | "cert" | "key">): Promise<void> {
  // A server still starting refuses the first connection; the channel's default backoff would then
  // wait about a second before trying again, longer than a service takes to start.
  const client = new HealthClient(address, channelCredentials(tls), { "grpc.initial_reconnect_backoff_ms": 100, "grpc.max_reconnect_backoff_ms": 500 });
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      const serving = await new Promise<boolean>((resolve) =>
        client.check({ service: "" }, new Metadata(), { deadline: Date.now() + 1_000 }, (err, res) =>
          resolve(!err && res.status === HealthCheckResponse_ServingStatus.SERVING),
        ),
      );
      if (serving) return;
      if (Date.now() > deadline) throw new Error(`gRPC server at ${address} not healthy after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    client.close();
  }
}
