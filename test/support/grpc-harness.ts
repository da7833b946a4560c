import { Ledger } from "../../testbed/audit/ledger.js";
import { startStack } from "../../testbed/stack/start-stack.js";
import { testCertificates } from "./certs.js";
import type { Harness } from "./harness.js";

/** The gRPC mode in this process; `secure`: mutual TLS everywhere, the client presenting the `client` certificate. */
export async function makeGrpcHarness(options: { secure?: boolean } = {}): Promise<Harness> {
  const stack = await startStack({ mode: "grpc", where: "in-process", secure: options.secure ? testCertificates() : undefined });
  const client = await stack.connectClient();
  const ledger = new Ledger(stack.dataDir);
  return {
    client,
    ledger,
    capabilities: stack.capabilities,
    async close() {
      await client.close();
      ledger.close();
      await stack.close();
    },
  };
}
