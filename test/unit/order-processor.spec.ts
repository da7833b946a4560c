import { expect } from "chai";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KeyedSerializer } from "../../services/domain/keyed-serializer.js";
import { OrderProcessor } from "../../services/order/order-processor.js";
import { DEFERRED, type BillingPort, type NotifierPort } from "../../services/domain/ports.js";
import { RemoteInternalError } from "../../services/domain/errors.js";
import { OrderStatus } from "../../services/gen/shop/v1/order.js";
import { SqliteOrderStore } from "../../services/order/order-store.js";
import { sampleOrder } from "../support/orders.js";

describe("KeyedSerializer", () => {
  it("runs work for one key in order, and every piece of work runs", async () => {
    const s = new KeyedSerializer();
    const log: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const a = s.run("k", async () => {
      await gate;
      log.push("a");
      return 1;
    });
    const b = s.run("k", async () => {
      log.push("b");
      return 2;
    });
    const other = s.run("other", async () => {
      log.push("other");
      return 3;
    });
    await other;
    expect(log).to.deep.equal(["other"]);
    release();
    expect(await Promise.all([a, b])).to.deep.equal([1, 2]);
    expect(log).to.deep.equal(["other", "a", "b"]);
  });

  it("goes on with the next piece of work after a failure", async () => {
    const s = new KeyedSerializer();
    const failed = s.run("k", async () => {
      throw new Error("boom");
    });
    const next = s.run("k", async () => "ok");
    expect(await failed.catch((e: Error) => e.message)).to.equal("boom");
    expect(await next).to.equal("ok");
  });
});

describe("OrderProcessor with asynchronous ports", () => {
  let dir: string;
  let store: SqliteOrderStore;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "gvn-proc-"));
    store = new SqliteOrderStore(join(dir, "order.db"));
  });
  afterEach(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("applies an invoice event that arrives while the placement is still in flight", async () => {
    const emailsRequested: string[] = [];
    let eventDone: Promise<unknown> = Promise.resolve();
    const billing: BillingPort = {
      async createInvoice(order) {
        // A fast billing answers before the publish of its request has even returned.
        await new Promise((r) => setImmediate(r));
        eventDone = processor.onInvoiceCreated(order.orderId, "INV-2026-000001");
        await new Promise((r) => setImmediate(r));
        return DEFERRED;
      },
    };
    const notifier: NotifierPort = {
      async sendOrderConfirmation(req) {
        emailsRequested.push(req.order.orderId);
        return DEFERRED;
      },
    };
    const processor = new OrderProcessor(store, billing, notifier);
    const order = sampleOrder();
    await processor.place(order);
    await eventDone;
    expect(store.get(order.orderId)?.invoiceNumber).to.equal("INV-2026-000001");
    expect(emailsRequested).to.deep.equal([order.orderId]);
    await processor.onEmailSent(order.orderId);
    expect(processor.getOrder(order.orderId).status).to.equal(OrderStatus.ORDER_STATUS_COMPLETED);
  });

  it("keeps a remote internal error's reference in the failure reason, and nothing of a local one", async () => {
    const notifier: NotifierPort = { sendOrderConfirmation: async () => undefined };
    const remote = new OrderProcessor(
      store,
      { createInvoice: () => Promise.reject(new RemoteInternalError("billing", "13: internal error (ref 1a2b3c4d)")) },
      notifier,
    );
    const a = sampleOrder();
    await remote.place(a).catch(() => undefined);
    expect(remote.getOrder(a.orderId).failureReason).to.equal("billing failed: 13: internal error (ref 1a2b3c4d)");
    const local = new OrderProcessor(store, { createInvoice: () => Promise.reject(new Error("SQLITE_CORRUPT at /var/lib/secret.db")) }, notifier);
    const b = sampleOrder();
    await local.place(b).catch(() => undefined);
    expect(local.getOrder(b.orderId).failureReason).to.equal("internal error");
  });
});
