import { expect } from "chai";
import { processPeakRssMiB } from "../../testbed/proc-cpu.js";
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { audit, formatAuditLine } from "../../testbed/audit/audit.js";
import { Ledger } from "../../testbed/audit/ledger.js";
import { OrderStatus } from "../../services/gen/shop/v1/order.js";
import { encodePayload } from "../../services/nats/codec.js";
import { ROUTES } from "../../services/nats/routes.js";
import { STREAMS } from "../../services/nats/topology.js";
import { labOrder } from "../../testbed/load/lab-order.js";
import { startStack } from "../../testbed/stack/start-stack.js";
import { eventually } from "../support/eventually.js";

const ORDERS = Number(process.env.SOAK_ORDERS ?? 100_000);
const MAX_ACK_PENDING = 64;

function rssMb(pid: number | undefined): number {
  if (!pid) return 0;
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) / 1024 : 0;
}

describe(`soak: a backlog of ${ORDERS} orders drains with flat memory (NATS)`, function () {
  this.timeout(60 * 60_000);

  it("keeps in-flight work at max_ack_pending, memory flat, and loses and duplicates nothing", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "gvn-soak-"));
    const stack = await startStack({
      where: "processes",
      mode: "nats",
      dataDir,
      env: { NATS_MAX_ACK_PENDING: String(MAX_ACK_PENDING) },
      logFile: join(dataDir, "services.log"),
    });
    const runId = `soak-${Date.now().toString(36)}`;
    try {
      // The backlog builds while the order service is away, then drains when it returns.
      await stack.control.stop("order", "SIGTERM");
      const nc = await stack.natsConnection();
      const js = nc.jetstream();
      for (let i = 0; i < ORDERS; i += 1000) {
        await Promise.all(
          Array.from({ length: Math.min(1000, ORDERS - i) }, (_, k) => {
            const order = labOrder(runId, i + k);
            const { data, headers } = encodePayload(ROUTES.orderPlaced.payload, order);
            return js.publish("orders.placed", data, { headers, msgID: order.orderId });
          }),
        );
      }
      const jsm = await nc.jetstreamManager();
      expect((await jsm.streams.info(STREAMS.orders)).state.messages).to.equal(ORDERS);

      await stack.startService("order");
      const ledger = new Ledger(dataDir);
      const samples: Array<{ done: number; rss: number; maxAckPending: number }> = [];
      const started = Date.now();
      try {
        await eventually(
          "the backlog to drain",
          async () => {
            const done = ledger.db("order").prepare("SELECT count(*) AS n FROM orders WHERE status = ?").get(OrderStatus.ORDER_STATUS_COMPLETED) as {
              n: number;
            };
            const rss = [...stack.processes.values()].reduce((sum, p) => sum + rssMb(p.child.pid), 0);
            const consumers = await Promise.all([jsm.consumers.info(STREAMS.orders, "order-intake"), jsm.consumers.info(STREAMS.billing, "billing-invoicer")]);
            samples.push({ done: done.n, rss, maxAckPending: Math.max(...consumers.map((c) => c.num_ack_pending)) });
            if (samples.length % 15 === 0)
              console.log(`      ${done.n}/${ORDERS} completed, services RSS ${rss.toFixed(0)} MB, ack pending ≤ ${samples.at(-1)!.maxAckPending}`);
            return done.n === ORDERS ? true : undefined;
          },
          50 * 60_000,
          1_000,
        );
        const records = Array.from({ length: ORDERS }, (_, i) => ({ orderId: labOrder(runId, i).orderId, accepted: true }));
        const line = audit(records, ledger.snapshot(), false);
        console.log(`      ${formatAuditLine("nats soak", line)}; drained in ${Math.round((Date.now() - started) / 1000)} s`);
        // A benchmark figure, printed rather than asserted: each service's peak resident memory over the drain.
        const peaks = [...stack.processes].map(([name, p]) => `${name} ${processPeakRssMiB(p.child.pid) ?? "?"} MiB`);
        console.log(`      peak RSS per service: ${peaks.join(", ")}`);
        expect(line.lost).to.equal(0);
        expect(line.completed).to.equal(ORDERS);
        expect(line.duplicateInvoices + line.duplicateEmails).to.equal(0);
      } finally {
        ledger.close();
      }
      expect(Math.max(...samples.map((s) => s.maxAckPending))).to.be.at.most(MAX_ACK_PENDING);
      // Flat memory: after warm-up (the first tenth of the drain), RSS grows by less than half.
      const warm = samples.filter((s) => s.done >= ORDERS / 10);
      const baseline = warm[0]?.rss ?? samples[0]!.rss;
      const peak = Math.max(...warm.map((s) => s.rss));
      console.log(`      services RSS after warm-up ${baseline.toFixed(0)} MB, peak ${peak.toFixed(0)} MB`);
      expect(peak).to.be.below(baseline * 1.5);
    } finally {
      await stack.stop();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
