import { expect } from "chai";
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import type { Mode } from "../services/common/config.js";
import type { OrderWorkflowClient } from "../services/workflow.js";
import { freePorts } from "../testbed/free-port.js";
import { ensureNatsServer } from "../testbed/nats-server.js";
import { PROJECT_ROOT } from "../testbed/process-group.js";
import { connectClient, ENTRY_VAR } from "../testbed/stack/stack.js";
import { buildImage, compose, composeDown, copyFromService, dockerEngine, ensureImages } from "./support/docker-engine.js";
import { eventually } from "./support/eventually.js";
import { orderReaches } from "./support/order-status.js";
import { sampleOrder } from "./support/orders.js";

const run = promisify(execFile);

/** Where a client on the host reaches each profile: the port compose publishes for its entry. */
const HOST_ENTRY: Record<Mode, (ports: Record<string, string>) => string> = {
  grpc: (p) => `localhost:${p.ORDER_HOST_PORT}`,
  nats: (p) => `nats://localhost:${p.NATS_HOST_PORT}`,
};

/** The client's NKey seed in the secrets job's output, where the profile has one. */
const CLIENT_SEED: Record<Mode, string | undefined> = { grpc: undefined, nats: "nats/nkeys/client.nk" };

/** The host ports compose publishes, each moved to a free one (the machine's own NATS holds 4222). */
const PORT_VARS = [
  "ORDER_HOST_PORT",
  "BILLING_HOST_PORT",
  "NOTIFICATION_HOST_PORT",
  "NATS_HOST_PORT",
  "NATS_MONITOR_HOST_PORT",
  "MAILPIT_HOST_PORT",
  "JAEGER_HOST_PORT",
  "ORDER_METRICS_HOST_PORT",
  "BILLING_METRICS_HOST_PORT",
  "NOTIFICATION_METRICS_HOST_PORT",
];

interface Mailbox {
  messages: Array<{ Subject: string }>;
}

/** Runs the project's load tool against a deployment; resolves with its exit code, output and error text. */
async function load(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string; ms: number }> {
  const started = Date.now();
  try {
    const { stdout, stderr } = await run("node", ["--import", "tsx", "scripts/load.ts", ...args], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, ...env },
      timeout: 120_000,
    });
    return { code: 0, stdout, stderr, ms: Date.now() - started };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === "number" ? e.code : -1, stdout: e.stdout ?? "", stderr: e.stderr ?? "", ms: Date.now() - started };
  }
}

// The deployment as shipped: the image built from the Dockerfile, each compose profile brought up,
// orders placed from the host with the client's credentials out of the secrets volume, the e-mails
// found in Mailpit, and everything removed afterwards, volumes included.
describe("docker compose, brought up", function () {
  this.timeout(900_000);
  let stopEngine: (() => Promise<void>) | undefined;

  before(async function () {
    const engine = await dockerEngine();
    stopEngine = engine.stop;
    if (engine.missing) {
      console.log(`      skipped: ${engine.missing}`);
      this.skip();
    }
    for (const note of await ensureImages(ensureNatsServer())) console.log(`      note: ${note}`);
    await buildImage();
  });

  after(async () => {
    await stopEngine?.();
  });

  for (const profile of ["grpc", "nats"] as const) {
    describe(`--profile ${profile}`, () => {
      const project = `gvn-test-${profile}-${process.pid}`;
      const ports: Record<string, string> = {};
      let dc: ReturnType<typeof compose>;
      let secrets: string;
      let credentials: Record<string, string>;
      let client: OrderWorkflowClient | undefined;

      before(async () => {
        // Held all at once, so that no two variables get the same port (one freed and handed out again).
        const free = await freePorts(PORT_VARS.length, "0.0.0.0");
        PORT_VARS.forEach((name, i) => (ports[name] = String(free[i])));
        dc = compose(project, profile, ports);
        await dc(["up", "-d", "--no-build"]).catch(async (err: unknown) => {
          // What the containers said, to tell why a service or job did not come up.
          console.log((await dc(["logs", "--no-color", "--tail", "40"]).catch(() => ({ stdout: "" }))).stdout);
          throw err;
        });
        secrets = await mkdtemp(join(tmpdir(), "gvn-compose-secrets-"));
        await eventually("the secrets job to finish", () => copyFromService(project, "secrets", "/secrets/.", secrets).then(() => true), 120_000, 1_000);
        credentials = {
          TLS_CA_FILE: join(secrets, "tls/ca.pem"),
          TLS_CERT_FILE: join(secrets, "tls/client.pem"),
          TLS_KEY_FILE: join(secrets, "tls/client-key.pem"),
          ...(CLIENT_SEED[profile] ? { NATS_NKEY_SEED_FILE: join(secrets, CLIENT_SEED[profile]) } : {}),
        };
        const tls = {
          ca: await readFile(credentials.TLS_CA_FILE!),
          cert: await readFile(credentials.TLS_CERT_FILE!),
          key: await readFile(credentials.TLS_KEY_FILE!),
        };
        const seedFile = credentials.NATS_NKEY_SEED_FILE;
        client = await connectClient(profile, HOST_ENTRY[profile](ports), {
          name: "client",
          env: credentials,
          pem: () => tls,
          nats: () => ({ identity: "client", seedFile, tls }),
        });
      });

      after(async () => {
        await client?.close();
        if (dc) {
          // Leave nothing behind: containers, networks and every volume of the project.
          const { stdout } = await dc(["ps"]).catch(() => ({ stdout: "" }));
          if (process.env.GVN_COMPOSE_LOGS) console.log(stdout, (await dc(["logs", "--no-color"]).catch(() => ({ stdout: "" }))).stdout);
          await composeDown(project, dc);
        }
        if (secrets) await rm(secrets, { recursive: true, force: true });
      });

      it("completes orders placed from the host with the client's certificate (and NKey) out of the secrets volume, and mails each", async () => {
        const orders = [sampleOrder(), sampleOrder(), sampleOrder()];
        for (const order of orders)
          await eventually(`${profile} deployment to take order ${order.orderId}`, () => client!.placeOrder(order).then(() => true), 240_000, 1_000);
        for (const order of orders) await orderReaches(client!, order.orderId, undefined, 120_000);
        const mailbox = await eventually(
          "the e-mails in Mailpit",
          async () => {
            const res = await fetch(`http://127.0.0.1:${ports.MAILPIT_HOST_PORT}/api/v1/messages`);
            const box = (await res.json()) as Mailbox;
            return orders.every((o) => box.messages.some((m) => m.Subject.includes(o.orderId))) ? box : undefined;
          },
          60_000,
          500,
        );
        for (const order of orders)
          expect(
            mailbox.messages.filter((m) => m.Subject.includes(order.orderId)),
            order.orderId,
          ).to.have.length(1);
      });

      it("is driven by `npm run load` with the same credentials, and refuses it fast without them", async () => {
        const address: Record<string, string> = { [ENTRY_VAR[profile]]: HOST_ENTRY[profile](ports) };
        const driven = await load(["--mode", profile, "--rate", "20", "--orders", "20"], { ...address, ...credentials });
        expect(driven.code, driven.stderr).to.equal(0);
        expect((JSON.parse(driven.stdout) as { completed: number }).completed).to.equal(20);
        const refused = await load(["--mode", profile, "--rate", "20", "--orders", "5"], address);
        expect(refused.code, refused.stdout).to.not.equal(0);
        expect(refused.stderr).to.match(/^load: /m);
        expect(refused.ms, "refused within seconds").to.be.below(30_000);
      });
    });
  }
});
