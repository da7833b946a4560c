import { Metadata } from "@grpc/grpc-js";
import type { TlsConfig } from "../common/tls-config.js";
import { HealthCheckResponse_ServingStatus, HealthClient } from "../gen/grpc/health/v1/health.js";
import { channelCredentials } from "./security.js";

/** Polls grpc.health.v1 Check until the server answers SERVING or the deadline passes; with `tls`, over mutual TLS. */
export async function waitGrpcHealthy(address: string, timeoutMs = 30_000, tls?: Pick<TlsConfig, "ca" | "cert" | "key">): Promise<void> {
  const client = new HealthClient(address, channelCredentials(tls));
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
