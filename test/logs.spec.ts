import { expect } from "chai";
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { connect } from "nats";
import { NatsNotifierPort } from "../services/nats/downstream-ports.js";
import { freePort } from "../scripts/lib/free-port.js";
import { startNatsServer } from "../scripts/lib/nats-server.js";
import { PROJECT_ROOT } from "../scripts/lib/process-group.js";
import { eventually } from "./support/eventually.js";
import { sampleOrder } from "./support/orders.js";

describe("structured logs", function () {
  this.timeout(60_000);

  it("are JSON lines that name the service, the consumer and the order a message concerns", async () => {
    const dir = await mkdtemp(join(tmpdir(), "gvn-logs-"));
    const server = await startNatsServer({ storeDir: join(dir, "nats") });
    // Nothing listens on this port: every send is refused, a transient failure that is logged and retried.
    const env = { PATH: process.env.PATH ?? "", DATA_DIR: dir, NATS_URL: server.url, SMTP_URL: `smtp://127.0.0.1:${await freePort()}`, LOG_LEVEL: "info" };
    const child = spawn(process.execPath, ["--import", "tsx", "scripts/service.ts", "notification", "--mode", "nats"], {
      cwd: PROJECT_ROOT,
      env,
      stdio: ["ignore", "ignore", "pipe"],
    });
    const lines: Array<Record<string, unknown>> = [];
    createInterface({ input: child.stderr }).on("line", (line) => lines.push(JSON.parse(line) as Record<string, unknown>));
    const nc = await connect({ servers: server.url });
    try {
      await eventually("the consumer to start", () => lines.find((l) => l.msg === "consuming"));
      const order = sampleOrder();
      // The order service's own port publishes the request, as it would in the workflow.
      await new NatsNotifierPort(nc.jetstream()).sendOrderConfirmation({ order, invoiceNumber: "INV-2026-000001", totalMinor: 2899n });
      const retry = await eventually("a retry logged for the order", () => lines.find((l) => l.msg === "will retry" && l.order_id === order.orderId));
      expect(retry).to.include({ level: "warn", name: "nats:notification", component: "notification-mailer", subject: "notification.email.requested" });
      expect(retry.reason).to.match(/^SMTP server unavailable/);
      expect(retry.time).to.match(/^\d{4}-\d\d-\d\dT/);
    } finally {
      child.kill("SIGTERM");
      await new Promise((r) => child.once("exit", r));
      await nc.close();
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
