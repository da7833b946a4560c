import { expect } from "chai";
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve, sep } from "node:path";
import { promisify } from "node:util";
import { OrderStatus } from "../services/gen/shop/v1/order.js";
import { NatsWorkflowClient } from "../services/nats/workflow-client.js";
import { freePort } from "../testbed/free-port.js";
import { startNatsServer } from "../testbed/nats-server.js";
import { PROJECT_ROOT } from "../testbed/process-group.js";
import { eventually } from "./support/eventually.js";
import { sampleOrder } from "./support/orders.js";
import { orderReaches } from "./support/order-status.js";

const run = promisify(execFile);
const DIST = join(PROJECT_ROOT, "dist");

/** Runs a compiled entry point with plain node: no tsx anywhere. */
function compiled(script: string, args: string[], env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, [join(DIST, script), ...args], { cwd: PROJECT_ROOT, env: { PATH: process.env.PATH ?? "", ...env }, stdio: "ignore" });
}

/** Resolves when the process has exited (at once if it already has). */
function exited(c: ChildProcess): Promise<void> {
  return c.exitCode !== null || c.signalCode !== null ? Promise.resolve() : new Promise((r) => c.once("exit", () => r()));
}

async function stop(children: ChildProcess[]): Promise<void> {
  children.forEach((c) => c.kill("SIGTERM"));
  await Promise.all(children.map(exited));
}

/** Every module a compiled file reaches through static and dynamic imports of relative paths and packages. */
async function importGraph(entry: string): Promise<{ files: Set<string>; packages: Set<string> }> {
  const files = new Set<string>();
  const packages = new Set<string>();
  const queue = [entry];
  for (let file = queue.pop(); file !== undefined; file = queue.pop()) {
    if (files.has(file)) continue;
    files.add(file);
    const text = await readFile(file, "utf8");
    for (const m of text.matchAll(
      /(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s*["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)|(?:^|\n)\s*import\s*["']([^"']+)["']/g,
    )) {
      const spec = m[1] ?? m[2] ?? m[3]!;
      if (spec.startsWith(".")) queue.push(resolve(dirname(file), spec));
      else packages.add(spec);
    }
  }
  return { files, packages };
}

describe("the compiled build (npm run build)", function () {
  this.timeout(180_000);
  let dataDir = "";

  before(async () => {
    await run("npm", ["run", "build"], { cwd: PROJECT_ROOT });
    dataDir = await mkdtemp(join(tmpdir(), "gvn-build-"));
  });
  after(async () => {
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it("ships only what the image runs: the services and the compose jobs' tools, no lab", async () => {
    const { files } = await importGraph(join(DIST, "scripts/compose-secrets.js"));
    for (const tool of ["scripts/nats-provision.js", "services/main.js", "services/health-check.js"])
      for (const f of (await importGraph(join(DIST, tool))).files) files.add(f);
    const built = (await readdir(DIST, { recursive: true })).filter((f) => f.endsWith(".js"));
    expect(built.filter((f) => f.split(sep).includes("lab") || f.startsWith(`test${sep}`))).to.deep.equal([]);
    // Everything built is reached from an entry point the image or a compose job runs.
    expect(built.map((f) => join(DIST, f)).filter((f) => !files.has(f) && !f.startsWith(join(DIST, "services")))).to.deep.equal([]);
  });

  it("starts each gRPC service from dist/services/main.js, and each answers the compiled health probe", async () => {
    const ports = { order: await freePort(), billing: await freePort(), notification: await freePort() };
    const children: ChildProcess[] = [];
    try {
      for (const name of ["billing", "notification", "order"] as const) {
        children.push(
          compiled("services/main.js", [name, "--mode", "grpc"], {
            DATA_DIR: join(dataDir, "grpc"),
            GRPC_LISTEN_ADDR: `127.0.0.1:${ports[name]}`,
            BILLING_SERVICE_ADDR: `127.0.0.1:${ports.billing}`,
            NOTIFICATION_SERVICE_ADDR: `127.0.0.1:${ports.notification}`,
          }),
        );
      }
      for (const name of ["billing", "notification", "order"] as const) {
        await eventually(
          `the compiled ${name} service to answer health`,
          async () => {
            const probe = await run(process.execPath, [join(DIST, "services/health-check.js"), `127.0.0.1:${ports[name]}`]).then(
              () => true,
              () => undefined,
            );
            return probe;
          },
          60_000,
          250,
        );
      }
    } finally {
      await stop(children);
    }
    expect(
      children.map((c) => c.exitCode),
      "each exits 0 after an ordered shutdown",
    ).to.deep.equal([0, 0, 0]);
  });

  it("runs the NATS mode from the compiled services: an order completes", async () => {
    const server = await startNatsServer({ storeDir: join(dataDir, "nats-store") });
    const children = (["order", "billing", "notification"] as const).map((name) =>
      compiled("services/main.js", [name, "--mode", "nats"], { DATA_DIR: join(dataDir, "nats"), NATS_URL: server.url }),
    );
    const client = await NatsWorkflowClient.connect({ natsUrl: server.url });
    try {
      const order = sampleOrder();
      await eventually("the order to be accepted", () => client.placeOrder(order).then(() => true), 60_000, 250);
      await orderReaches(client, order.orderId, OrderStatus.ORDER_STATUS_COMPLETED, 60_000);
    } finally {
      await client.close();
      await stop(children);
      await server.stop();
    }
  });

  it("keeps grpc-js out of the NATS mode: nothing the NATS service imports loads it", async () => {
    const graph = await importGraph(join(DIST, "services/nats/start-service.js"));
    expect(graph.files.size, "modules reached").to.be.greaterThan(20);
    expect(graph.packages).to.include("nats");
    expect([...graph.packages].filter((p) => p.startsWith("@grpc/"))).to.deep.equal([]);
    // The same walk does find grpc-js from the gRPC adapter, so it would see it from the NATS one.
    expect((await importGraph(join(DIST, "services/grpc/start-service.js"))).packages).to.include("@grpc/grpc-js");
  });
});
