import { expect } from "chai";
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { randomBytes } from "node:crypto";
import { connect } from "nats";
import { traceFromTraceparent } from "../services/common/tracing.js";
import { NatsNotifierPort } from "../services/nats/downstream-ports.js";
import { freePort } from "../testbed/free-port.js";
import { startNatsServer } from "../testbed/nats-server.js";
import { startOtlpReceiver } from "../testbed/otlp-receiver.js";
import { PROJECT_ROOT } from "../testbed/process-group.js";
import { eventually } from "./support/eventually.js";
import { sampleOrder } from "./support/orders.js";

describe("structured logs", function () {
  this.timeout(60_000);

  it("are JSON lines that name the service, the consumer, the order a message concerns and its trace", async () => {
    const dir = await mkdtemp(join(tmpdir(), "gvn-logs-"));
    const server = await startNatsServer({ storeDir: join(dir, "nats") });
    const receiver = await startOtlpReceiver();
    // Nothing listens on this port: every send is refused, a transient failure that is logged and retried.
    const env = {
      PATH: process.env.PATH ?? "",
      DATA_DIR: dir,
      NATS_URL: server.url,
      SMTP_URL: `smtp://127.0.0.1:${await freePort()}`,
      LOG_LEVEL: "info",
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
      OTEL_BSP_SCHEDULE_DELAY: "50",
    };
    const child = spawn(process.execPath, ["--import", "tsx", "services/main.ts", "notification", "--mode", "nats"], {
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
      const traceId = randomBytes(16).toString("hex");
      const trace = traceFromTraceparent(`00-${traceId}-${randomBytes(8).toString("hex")}-01`);
      // The order service's own port publishes the request, as it would in the workflow, in a trace of the test's.
      await new NatsNotifierPort(nc.jetstream()).sendOrderConfirmation({ order, invoiceNumber: "INV-2026-000001", totalMinor: 2899n }, { trace });
      const retry = await eventually("a retry logged for the order", () => lines.find((l) => l.msg === "will retry" && l.order_id === order.orderId));
      expect(retry).to.include({ level: "warn", name: "nats:notification", component: "notification-mailer", subject: "notification.email.requested" });
      expect(retry.reason).to.match(/^SMTP server unavailable/);
      expect(retry.time).to.match(/^\d{4}-\d\d-\d\dT/);
      // The line names the delivery's span, which the collector received in the test's trace.
      expect(retry.trace_id).to.equal(traceId);
      await eventually("the delivery's span at the collector", () => receiver.spans.find((s) => s.spanId === retry.span_id && s.traceId === traceId));
    } finally {
      child.kill("SIGTERM");
      await new Promise((r) => child.once("exit", r));
      await nc.close();
      await receiver.close();
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
