import { expect } from "chai";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Mailer } from "../../services/domain/ports.js";
import { SqliteEmailStore } from "../../services/notification/email-store.js";
import { createMailer } from "../../services/notification/mailer.js";
import { Notifying } from "../../services/notification/notifying.js";
import { sampleOrder } from "../support/orders.js";

describe("Notifying (one e-mail per order)", () => {
  let dir: string;
  let store: SqliteEmailStore;
  let outbox: Mailer;
  let sends: number;
  let counting: Mailer;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "gvn-notify-"));
    store = new SqliteEmailStore(join(dir, "notification.db"));
    outbox = createMailer({ outboxDir: join(dir, "outbox"), from: "shop@example.com" });
    sends = 0;
    counting = { send: (m) => (sends++, outbox.send(m)), delivered: (id) => outbox.delivered!(id), close: () => outbox.close() };
  });
  afterEach(() => {
    store.close();
    outbox.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("sends once however often it is asked, concurrently or later", async () => {
    const n = new Notifying(store, counting);
    const order = sampleOrder();
    const request = { order, invoiceNumber: "INV-2026-000001", totalMinor: 2899n };
    const results = await Promise.all([n.sendOrderConfirmation(request), n.sendOrderConfirmation(request)]);
    const later = await n.sendOrderConfirmation(request);
    expect(sends).to.equal(1);
    expect(results.map((r) => r.sentNow).concat(later.sentNow)).to.deep.equal([true, true, false]);
    expect(readdirSync(join(dir, "outbox"))).to.have.length(1);
  });

  it("does not send again when a crash came after the outbox write but before the record", async () => {
    const order = sampleOrder();
    const request = { order, invoiceNumber: "INV-2026-000001", totalMinor: 2899n };
    // The first attempt: claimed and written, then the process died before markSent.
    const messageId = `<order-${order.orderId}@grpc-vs-nats.local>`;
    store.claim({ orderId: order.orderId, recipient: order.customer!.email, subject: "s", messageId });
    await outbox.send({ to: order.customer!.email, subject: "s", text: "t", html: "h", messageId });
    expect(store.find(order.orderId)?.status).to.equal("sending");

    const result = await new Notifying(store, counting).sendOrderConfirmation(request);
    expect(result.sentNow).to.equal(false);
    expect(sends).to.equal(0);
    expect(store.find(order.orderId)?.status).to.equal("sent");
  });

  it("sends when a crash came before anything was written", async () => {
    const order = sampleOrder();
    const messageId = `<order-${order.orderId}@grpc-vs-nats.local>`;
    store.claim({ orderId: order.orderId, recipient: order.customer!.email, subject: "s", messageId });
    const result = await new Notifying(store, counting).sendOrderConfirmation({ order, invoiceNumber: "INV-1", totalMinor: 1n });
    expect(result.sentNow).to.equal(true);
    expect(sends).to.equal(1);
    expect(existsSync(join(dir, "outbox"))).to.equal(true);
  });
});
