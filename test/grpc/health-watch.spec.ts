import { startStack } from "../../testbed/stack/start-stack.js";
import { credentials, Metadata } from "@grpc/grpc-js";
import { expect } from "chai";
import { HealthCheckResponse_ServingStatus as Serving, HealthClient, type HealthCheckResponse } from "../../services/gen/grpc/health/v1/health.js";

describe("gRPC health Watch and ordered shutdown", function () {
  this.timeout(60_000);

  it("streams SERVING, then NOT_SERVING when the server shuts down, and ends the stream", async () => {
    const stack = await startStack({ mode: "grpc", where: "in-process" });
    const client = new HealthClient(stack.services.billing.addresses.listens!, credentials.createInsecure());
    try {
      const seen: Serving[] = [];
      const call = client.watch({ service: "shop.v1.BillingService" }, new Metadata());
      const ended = new Promise<void>((resolve) => {
        call.on("end", resolve);
        call.on("error", () => resolve());
      });
      const first = new Promise<void>((resolve) =>
        call.on("data", (res: HealthCheckResponse) => {
          seen.push(res.status);
          resolve();
        }),
      );
      await first;
      await stack.close();
      await ended;
      expect(seen[0]).to.equal(Serving.SERVING);
      expect(seen).to.include(Serving.NOT_SERVING);
    } finally {
      client.close();
    }
  });
});
