import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect, headers as natsHeaders, type NatsConnection } from "nats";
import { Ledger } from "../../services/audit/ledger.js";
import { natsConfig, type ServiceName } from "../../services/common/config.js";
import { createLogger } from "../../services/common/logger.js";
import type { RunningService } from "../../services/common/running-service.js";
import { readDeadLetters } from "../../services/nats/inspect.js";
import { NatsWorkflowClient } from "../../services/nats/workflow-client.js";
import { startNatsService } from "../../services/nats/start-service.js";
import { startNatsServer, type ManagedNatsServer } from "../../scripts/lib/nats-server.js";
import type { Harness } from "./harness.js";

export interface NatsStack {
  dataDir: string;
  server: ManagedNatsServer;
  services: Map<ServiceName, RunningService>;
  start(name: ServiceName): Promise<void>;
  stop(name: ServiceName): Promise<void>;
  close(): Promise<void>;
}

/** A private nats-server (free port, temp store) and the three services, each with its own database. */
export async function startNatsStack(env: Record<string, string> = {}): Promise<NatsStack> {
  const dataDir = await mkdtemp(join(tmpdir(), "gvn-nats-"));
  const server = await startNatsServer({ storeDir: join(dataDir, "nats") });
  const base = { DATA_DIR: dataDir, NATS_URL: server.url, SHUTDOWN_GRACE_MS: "2000", NATS_ACK_WAIT_MS: "5000", ...env };
  const services = new Map<ServiceName, RunningService>();
  const stack: NatsStack = {
    dataDir,
    server,
    services,
    async start(name) {
      services.set(name, await startNatsService(natsConfig(name, {}, base), createLogger(`nats:${name}`, "error")));
    },
    async stop(name) {
      await services.get(name)?.close();
      services.delete(name);
    },
    async close() {
      for (const name of [...services.keys()]) await stack.stop(name);
      await server.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  // All three at once: provisioning must be safe when services race to create the streams.
  const started = await Promise.allSettled((["order", "billing", "notification"] as const).map((n) => stack.start(n)));
  const failed = started.find((r) => r.status === "rejected");
  if (failed) {
    // Leave no broker or data behind when the stack could not start.
    await stack.close();
    throw failed.reason;
  }
  return stack;
}

export async function makeNatsHarness(): Promise<Harness> {
  const stack = await startNatsStack();
  const client = await NatsWorkflowClient.connect({ natsUrl: stack.server.url });
  const raw: NatsConnection = await connect({ servers: stack.server.url });
  const ledger = new Ledger(stack.dataDir);
  return {
    client,
    ledger,
    capabilities: {
      rejectsAtPlacement: false,
      reportsIdempotencyConflicts: false,
      dropsDuplicatePublishes: true,
      deadLetters: true,
    },
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
