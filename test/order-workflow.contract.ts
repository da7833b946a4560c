import { expect } from "chai";
import { IdempotencyConflictError, InvalidOrderError, NotFoundError } from "../services/domain/errors.js";
import { Order, OrderStatus, type OrderView } from "../services/gen/shop/v1/order.js";
import { eventually } from "./support/eventually.js";
import type { Harness, MakeHarness } from "./support/harness.js";
import { SAMPLE_TOTAL_MINOR, sampleOrder } from "./support/orders.js";

const { ORDER_STATUS_ACCEPTED: ACCEPTED, ORDER_STATUS_COMPLETED: COMPLETED, ORDER_STATUS_REJECTED: REJECTED, ORDER_STATUS_FAILED: FAILED } = OrderStatus;
const SETTLED = new Set([COMPLETED, REJECTED, FAILED]);

/**
 * The behaviour both modes promise, written once. `makeHarness` starts a
 * mode on real servers; the suite adapts only through its capability flags.
 */
export function describeOrderWorkflow(name: string, makeHarness: MakeHarness): void {
  describe(`order workflow contract: ${name}`, function () {
    this.timeout(120_000);
    let h: Harness;

    before(async function () {
      h = await makeHarness();
    });
    after(async function () {
      await h?.close();
    });

    async function settled(orderId: string): Promise<OrderView> {
      return eventually(`order ${orderId} to settle`, async () => {
        const view = await h.client.getOrder(orderId).catch((err: unknown) => {
          if (err instanceof NotFoundError) return undefined;
          throw err;
        });
        return view && SETTLED.has(view.status) ? view : undefined;
      });
    }

    async function placeAndSettle(order: Order): Promise<OrderView> {
      const placement = await h.client.placeOrder(order);
      expect(placement.orderId).to.equal(order.orderId);
      expect(placement.status).to.equal(h.client.answerMeansComplete ? COMPLETED : ACCEPTED);
      return settled(order.orderId);
    }

    function expectExactlyOnce(order: Order, view: OrderView): void {
      const ledger = h.ledger.order(order.orderId);
      expect(ledger.invoices, "invoices for the order").to.equal(1);
      expect(ledger.emails, "e-mails for the order").to.equal(1);
      expect(ledger.invoiceNumber).to.equal(view.invoiceNumber);
      expect(ledger.emailRecipient).to.equal(order.customer?.email);
      expect(ledger.emailStatus).to.equal("sent");
    }

    it("completes a valid order with one invoice carrying the right total and one e-mail to the customer", async () => {
      const order = sampleOrder();
      const view = await placeAndSettle(order);
      expect(view.status).to.equal(COMPLETED);
      expect(view.totalMinor).to.equal(SAMPLE_TOTAL_MINOR);
      expect(view.currency).to.equal("EUR");
      expect(view.invoiceNumber).to.match(/^INV-\d{4}-\d{6}$/);
      expect(view.emailSent).to.equal(true);
      expect(view.failureReason).to.equal("");
      expectExactlyOnce(order, view);
      expect(h.ledger.order(order.orderId).invoiceTotalMinor).to.equal(SAMPLE_TOTAL_MINOR);
    });

    it("answers a re-sent order id with the same invoice and sends nothing twice", async () => {
      const order = sampleOrder();
      const first = await placeAndSettle(order);
      await h.client.placeOrder(order);
      const second = await settled(order.orderId);
      expect(second.status).to.equal(COMPLETED);
      expect(second.invoiceNumber).to.equal(first.invoiceNumber);
      expectExactlyOnce(order, second);
    });

    it("bills and mails once when the same order is sent many times at once", async () => {
      const order = sampleOrder();
      await Promise.all(Array.from({ length: 10 }, () => h.client.placeOrder(order)));
      const view = await settled(order.orderId);
      expect(view.status).to.equal(COMPLETED);
      expectExactlyOnce(order, view);
    });

    it("assigns an order id when the client leaves it empty", async () => {
      const placement = await h.client.placeOrder(sampleOrder({ orderId: "" }));
      expect(placement.orderId).to.match(/^[0-9a-f-]{36}$/);
      expect((await settled(placement.orderId)).status).to.equal(COMPLETED);
    });

    it("reports an unknown order id as not found", async () => {
      const err = await h.client.getOrder("no-such-order").then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).to.be.instanceOf(NotFoundError);
    });

    const invalid: Array<[string, (o: Order) => Order, string]> = [
      ["no items", (o) => ({ ...o, items: [] }), "items"],
      ["quantity 0", (o) => ({ ...o, items: [{ ...o.items[0]!, quantity: 0 }] }), "items[0].quantity"],
      ["a negative price", (o) => ({ ...o, items: [{ ...o.items[0]!, unitPriceMinor: -1n }] }), "items[0].unit_price_minor"],
      [
        "a price whose line total overflows",
        (o) => ({ ...o, items: [{ ...o.items[0]!, quantity: 3, unitPriceMinor: 2n ** 62n }] }),
        "items[0].unit_price_minor",
      ],
      ["lines whose sum overflows", (o) => ({ ...o, items: [0, 1].map(() => ({ ...o.items[0]!, quantity: 1, unitPriceMinor: 2n ** 52n + 1n })) }), "items"],
      ["a malformed e-mail", (o) => ({ ...o, customer: { ...o.customer!, email: "ada-at-example.com" } }), "customer.email"],
      ["an unknown currency", (o) => ({ ...o, currency: "XYZ" }), "currency"],
      ["no customer", (o) => ({ ...o, customer: undefined }), "customer"],
    ];
    for (const [what, mutate, field] of invalid) {
      it(`rejects an order with ${what}, naming ${field}, and bills and mails nothing`, async () => {
        const order = mutate(sampleOrder());
        if (h.capabilities.rejectsAtPlacement) {
          const err = await h.client.placeOrder(order).then(
            () => undefined,
            (e: unknown) => e,
          );
          expect(err).to.be.instanceOf(InvalidOrderError);
          expect((err as InvalidOrderError).violations.map((v) => v.field)).to.include(field);
        } else {
          expect((await h.client.placeOrder(order)).status).to.equal(ACCEPTED);
        }
        const view = await settled(order.orderId);
        expect(view.status).to.equal(REJECTED);
        expect(view.failureReason).to.include(`${field}:`);
        const ledger = h.ledger.order(order.orderId);
        expect(ledger.invoices).to.equal(0);
        expect(ledger.emails).to.equal(0);
      });
    }

    it("keeps the first order when its id is reused for a different order", async () => {
      const order = sampleOrder();
      await placeAndSettle(order);
      const outcome = await h.client.placeOrder({ ...order, currency: "USD" }).then(
        (p) => p,
        (e: unknown) => e,
      );
      if (h.capabilities.reportsIdempotencyConflicts) expect(outcome).to.be.instanceOf(IdempotencyConflictError);
      // Otherwise the broker takes it and drops it as a duplicate of the order id (see the NATS failure paths for a reuse outside the window).
      else expect(outcome).to.deep.equal({ orderId: order.orderId, status: ACCEPTED, duplicate: true });
      expectExactlyOnce(order, await h.client.getOrder(order.orderId));
      expect((await h.client.getOrder(order.orderId)).currency).to.equal(order.currency);
    });

    it("answers a read with an empty order id as invalid, naming order_id in structured violations", async () => {
      const err = await h.client.getOrder("").then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).to.be.instanceOf(InvalidOrderError);
      expect((err as InvalidOrderError).violations).to.deep.equal([{ field: "order_id", rule: "must not be empty" }]);
      if (h.capabilities.transportCause) {
        // The transport's own answer, as it arrived: a gRPC status, or the NATS service error reply.
        const cause = (err as Error).cause as Error & { code?: unknown };
        expect(cause, "the transport's error stays reachable").to.be.instanceOf(Error);
        expect(cause.code, "the transport's own status code").to.be.a("number");
        expect(cause.message).to.include("order_id: must not be empty");
      }
    });

    it("drops a re-publish of the same order inside the duplicate window", async function () {
      if (!h.capabilities.dropsDuplicatePublishes || !h.broker) this.skip();
      const order = sampleOrder();
      const payload = Order.encode(order).finish();
      const headers = { "Nats-Msg-Id": order.orderId, "Content-Type": "application/protobuf; proto=shop.v1.Order" };
      expect(await h.broker.publish("orders.placed", payload, headers)).to.deep.equal({ duplicate: false });
      expect(await h.broker.publish("orders.placed", payload, headers)).to.deep.equal({ duplicate: true });
      expectExactlyOnce(order, await settled(order.orderId));
    });

    const poison: Array<[string, Uint8Array, Record<string, string>, RegExp]> = [
      ["an undecodable payload", Uint8Array.of(0xff, 0xff, 0xff, 0xff), {}, /^undecodable shop\.v1\.Order payload/],
      [
        "a payload of another content type",
        Order.encode(sampleOrder()).finish(),
        { "Content-Type": "application/json" },
        /^wrong content type "application\/json"/,
      ],
    ];
    for (const [what, payload, headers, reason] of poison) {
      it(`dead-letters ${what} with the reason and keeps consuming`, async function () {
        if (!h.capabilities.deadLetters || !h.broker) this.skip();
        const broker = h.broker;
        await broker.publish("orders.placed", payload, headers);
        const letter = await eventually("the dead letter", async () => (await broker.deadLetters()).find((d) => reason.test(d.reason)));
        expect(letter).to.include({ subject: "deadletter.orders.placed", originalSubject: "orders.placed", originalStream: "ORDERS" });
        expect(letter.originalSequence).to.be.greaterThan(0);
        expect(letter.deliveries).to.equal(1);
        const next = sampleOrder();
        expect((await placeAndSettle(next)).status).to.equal(COMPLETED);
      });
    }

    it("completes 200 concurrent orders, each exactly once", async () => {
      const orders = Array.from({ length: 200 }, () => sampleOrder());
      await Promise.all(orders.map((o) => h.client.placeOrder(o)));
      const views = await Promise.all(orders.map((o) => settled(o.orderId)));
      views.forEach((v, i) => {
        expect(v.status, `order ${i}`).to.equal(COMPLETED);
        expectExactlyOnce(orders[i]!, v);
      });
      expect(new Set(views.map((v) => v.invoiceNumber)).size).to.equal(orders.length);
    });
  });
}
