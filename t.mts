import { mkdtempSync } from "node:fs"; import { tmpdir } from "node:os"; import { join } from "node:path";
import { SqliteEmailStore } from "./services/notification/email-store.js";
import { createMailer } from "./services/notification/mailer.js";
import { Notifying } from "./services/notification/notifying.js";
import { sampleOrder } from "./test/support/orders.js";
const dir = mkdtempSync(join(tmpdir(), "mb-"));
const n = new Notifying(new SqliteEmailStore(join(dir, "n.db")), createMailer({ outboxDir: join(dir, "outbox"), from: "shop@example.com" }));
const base = sampleOrder();
let k = 0;
const mode = process.argv[2] ?? "all";
for (let round = 0; round < 4; round++) {
  const c0 = process.cpuUsage(); const N = 400;
  for (let i = 0; i < N; i++) {
    const order = { ...base, orderId: `o-${k++}` };
    await n.sendOrderConfirmation({ order, invoiceNumber: "INV-1", totalMinor: 100n });
    await new Promise((r) => setTimeout(r, 5));
  }
  const c = process.cpuUsage(c0); console.log(round, ((c.user + c.system) / N / 1000).toFixed(3), "ms CPU/order; user", (c.user/N/1000).toFixed(3), "sys", (c.system/N/1000).toFixed(3));
}
