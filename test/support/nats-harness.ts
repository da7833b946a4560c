import { connect, headers as natsHeaders, type NatsConnection } from "nats";
import { Ledger } from "../../testbed/audit/ledger.js";
import { startStack } from "../../testbed/stack/start-stack.js";
import { credentialOptions } from "../../services/nats/connection.js";
import { readDeadLetters } from "../../services/nats/inspect.js";
import { testCertificates } from "./certs.js";
import type { Harness } from "./harness.js";

/** The NATS mode in this process; `secure`: the client connects as `client`, the test's own connection as `admin`. */
export async function makeNatsHarness(options: { secure?: boolean } = {}): Promise<Harness> {
  const stack = await startStack({ mode: "nats", where: "in-process", secure: options.secure ? testCertificates() : undefined });
  const client = await stack.connectClient();
  const admin = stack.identity("admin");
  const raw: NatsConnection = await connect({ servers: stack.entry.split(","), ...credentialOptions(admin?.nats()) });
  const ledger = new Ledger(stack.dataDir);
  return {
    client,
    ledger,
    capabilities: stack.capabilities,
    broker: {
      async publish(subject, payload, hdrs = {}) {
        const h = natsHeaders();
        for (const [k, v] of Object.entries(hdrs)) h.set(k, v);
        const ack = await raw.jetstream().publish(subject, payload, { headers: h });
        return { duplicate: ack.duplicate };
      },
      deadLetters: async () => readDeadLetters(await raw.jetstreamManager()),
    },
    async close() {
      await client.close();
      await raw.close();
      ledger.close();
      await stack.close();
    },
  };
}
