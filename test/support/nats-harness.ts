import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect, headers as natsHeaders, type NatsConnection } from "nats";
import { Ledger } from "../../scripts/audit/ledger.js";
import { natsConfig, type ServiceName } from "../../services/common/config.js";
import { createLogger } from "../../services/common/logger.js";
import type { RunningService } from "../../services/common/running-service.js";
import { readDeadLetters } from "../../services/nats/inspect.js";
import { NatsWorkflowClient } from "../../services/nats/workflow-client.js";
import { startNatsService } from "../../services/nats/start-service.js";
import type { CertificateSet } from "../../scripts/lib/certs.js";
import type { SecureNatsFiles } from "../../scripts/lib/nats-config.js";
import { startNatsServer, type ManagedNatsServer } from "../../scripts/lib/nats-server.js";
import { credentialsOf, secureEnv, startSecureNats } from "../../scripts/lib/secure-nats.js";
import { credentialOptions } from "../../services/nats/connection.js";
import { testCertificates } from "./certs.js";
import type { Harness } from "./harness.js";

export interface NatsStack {
  dataDir: string;
  server: ManagedNatsServer;
  /** The secure profile: the server's config, seeds and the certificates every identity uses. */
  secure?: { files: SecureNatsFiles; certs: CertificateSet };
  services: Map<ServiceName, RunningService>;
  start(name: ServiceName): Promise<void>;
  stop(name: ServiceName): Promise<void>;
  close(): Promise<void>;
}

/**
 * A private nats-server (free port, temp store) and the three services, each with its own database.
 * With `certs`: the secure profile (NKeys with least privilege, mutual TLS, provisioned as admin).
 */
export async function startNatsStack(env: Record<string, string> = {}, options: { certs?: CertificateSet } = {}): Promise<NatsStack> {
  const dataDir = await mkdtemp(join(tmpdir(), "gvn-nats-"));
  const common = { DATA_DIR: dataDir, SHUTDOWN_GRACE_MS: "2000", NATS_ACK_WAIT_MS: "5000", ...env };
  const certs = options.certs;
  const secured = certs ? await startSecureNats(join(dataDir, "nats"), certs, common) : undefined;
  const server = secured?.server ?? (await startNatsServer({ storeDir: join(dataDir, "nats") }));
  const base = { ...common, NATS_URL: server.url };
  const services = new Map<ServiceName, RunningService>();
  const stack: NatsStack = {
    dataDir,
    server,
    secure: secured && certs ? { files: secured.files, certs } : undefined,
    services,
    async start(name) {
      const env = stack.secure ? { ...base, ...secureEnv(stack.secure.files, stack.secure.certs, name) } : base;
      services.set(name, await startNatsService(natsConfig(name, {}, env), createLogger(`nats:${name}`, "error")));
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

/** The NATS mode; `secure`: the client connects as `client`, the test's own connection as `admin`. */
export async function makeNatsHarness(options: { secure?: boolean } = {}): Promise<Harness> {
  const stack = await startNatsStack({}, { certs: options.secure ? testCertificates() : undefined });
  const as = (identity: "client" | "admin") => stack.secure && credentialsOf(stack.secure.files, stack.secure.certs, identity);
  const client = await NatsWorkflowClient.connect({ natsUrl: stack.server.url, credentials: as("client") });
  const raw: NatsConnection = await connect({ servers: stack.server.url, ...credentialOptions(as("admin")) });
  const ledger = new Ledger(stack.dataDir);
  return {
    client,
    ledger,
    capabilities: {
      rejectsAtPlacement: false,
      reportsIdempotencyConflicts: false,
      dropsDuplicatePublishes: true,
      deadLetters: true,
      transportCause: true,
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
