import { randomUUID } from "node:crypto";
import { NO_METRICS, type Metrics } from "../common/metrics.js";
import { OrderStatus, type Order, type OrderView } from "../gen/shop/v1/order.js";
import { IdempotencyConflictError, InvalidOrderError, NotFoundError, RemoteInternalError, isDomainError } from "../domain/errors.js";
import { fingerprintOrder } from "../domain/fingerprint.js";
import { DEFERRED, type BillingPort, type NotifierPort, type OrderRecord, type OrderStore, type RequestContext } from "../domain/ports.js";
import { KeyedSerializer } from "../domain/keyed-serializer.js";
import { computeTotals } from "../domain/totals.js";
import { requireOrderId, validateOrder } from "../domain/validation.js";

export function toOrderView(record: OrderRecord): OrderView {
  return {
    orderId: record.orderId,
    status: record.status,
    totalMinor: record.totalMinor,
    currency: record.currency,
    invoiceNumber: record.invoiceNumber,
    emailSent: record.emailSent,
    failureReason: record.failureReason,
  };
}

/**
 * The order workflow, written once for both modes: validate and store the
 * order, get the invoice, send the e-mail, complete. Each step is recorded, so
 * a re-sent or redelivered order resumes at the first step not yet done.
 *
 * The ports decide the mode: a synchronous port returns the step's result and
 * the workflow goes on at once; an asynchronous one returns DEFERRED and the
 * result comes back later through onInvoiceCreated / onEmailSent.
 */
export class OrderProcessor {
  // One step at a time per order: a re-send, or an event racing the placement, sees the state the step before left.
  readonly #serial = new KeyedSerializer();

  constructor(
    private readonly store: OrderStore,
    private readonly billing: BillingPort,
    private readonly notifier: NotifierPort,
    private readonly metrics: Pick<Metrics, "orderSettled" | "stepDone"> = NO_METRICS,
  ) {}

  /**
   * Places an order; re-placing a known order id resumes it. Throws InvalidOrderError for a bad
   * order. `ctx` carries the caller's deadline to the calls the placement makes.
   */
  place(input: Order, ctx?: RequestContext): Promise<OrderView> {
    const order = input.orderId === "" ? { ...input, orderId: randomUUID() } : input;
    return this.#serial.run(order.orderId, () => this.#place(order, ctx));
  }

  /** The order as it stands; InvalidOrderError for an empty id, NotFoundError for an unknown one. */
  getOrder(orderId: string): OrderView {
    const record = this.store.get(requireOrderId(orderId));
    if (!record) throw NotFoundError.of("order", orderId);
    return toOrderView(record);
  }

  /** `ctx` is the event's: the steps it starts belong to its trace. */
  onInvoiceCreated(orderId: string, invoiceNumber: string, ctx?: RequestContext): Promise<OrderView> {
    return this.#serial.run(orderId, () => this.#advance(orderId, this.store.recordInvoice(orderId, invoiceNumber), ctx));
  }

  onEmailSent(orderId: string, ctx?: RequestContext): Promise<OrderView> {
    return this.#serial.run(orderId, () => this.#advance(orderId, this.#completed(orderId), ctx));
  }

  /** A step failed for good (e.g. its work was dead-lettered). */
  onStepFailed(orderId: string, reason: string): void {
    this.#failed(orderId, reason);
  }

  // The end states, each counted once, when the order enters it.
  #completed(orderId: string, latest?: OrderRecord): OrderRecord | undefined {
    const record = this.store.recordEmailSent(orderId, latest);
    if (record) this.metrics.orderSettled("completed");
    return record;
  }

  #failed(orderId: string, reason: string): void {
    if (this.store.recordFailure(orderId, reason)) this.metrics.orderSettled("failed");
  }

  async #place(order: Order, ctx: RequestContext | undefined): Promise<OrderView> {
    const started = performance.now();
    const fingerprint = fingerprintOrder(order);
    let invalid: Error | undefined;
    try {
      validateOrder(order);
    } catch (err) {
      invalid = err as Error;
    }
    // A valid order is stored at once: a new id (the common case) costs one statement and no read.
    const created =
      invalid === undefined
        ? this.store.saveProcessing({ orderId: order.orderId, fingerprint, order, totalMinor: computeTotals(order.items).totalMinor })
        : undefined;
    let current = created;
    if (!created) {
      // The id was known (or the order is invalid): what it holds decides.
      const known = this.store.get(order.orderId);
      if (known && known.status !== OrderStatus.ORDER_STATUS_REJECTED && known.fingerprint !== fingerprint) {
        throw IdempotencyConflictError.of(order.orderId);
      }
      if (known?.status === OrderStatus.ORDER_STATUS_COMPLETED) return toOrderView(known);
      if (invalid !== undefined) {
        if (invalid instanceof InvalidOrderError && !invalid.violations.some((v) => v.field === "order_id")) {
          this.store.saveRejected(order.orderId, fingerprint, order, invalid.message);
          this.metrics.orderSettled("rejected");
        }
        throw invalid;
      }
      current = known;
    }
    // The order service's own step: check and store; the steps it then asks for are timed where they run.
    this.metrics.stepDone("place", (performance.now() - started) / 1000);
    return this.#advance(order.orderId, current, ctx);
  }

  /**
   * Runs the steps not done yet. `latest` is the record as the last change
   * left it (undefined: read it), so that no step reads back what it wrote.
   */
  async #advance(orderId: string, latest: OrderRecord | undefined, ctx?: RequestContext): Promise<OrderView> {
    let record = latest;
    for (;;) {
      record ??= this.store.get(orderId);
      if (!record) throw NotFoundError.of("order", orderId);
      const status = record.status;
      if (status === OrderStatus.ORDER_STATUS_COMPLETED || status === OrderStatus.ORDER_STATUS_REJECTED) return toOrderView(record);
      try {
        if (record.invoiceNumber === "") {
          const invoice = await this.billing.createInvoice(record.order, ctx);
          if (invoice === DEFERRED) return toOrderView(record);
          record = this.store.recordInvoice(orderId, invoice.invoiceNumber, record);
        } else if (!record.emailSent) {
          const sent = await this.notifier.sendOrderConfirmation(
            {
              order: record.order,
              invoiceNumber: record.invoiceNumber,
              totalMinor: record.totalMinor,
            },
            ctx,
          );
          if (sent === DEFERRED) return toOrderView(record);
          record = this.#completed(orderId, record);
        }
      } catch (err) {
        // Recorded so that GetOrder explains the failure; a re-send resumes from here. A remote
        // internal error keeps its reference (its text was kept from internals by the other side),
        // so the reason leads to that service's log; a local one says no more than "internal error".
        this.#failed(orderId, isDomainError(err) || err instanceof RemoteInternalError ? err.message : "internal error");
        throw err;
      }
    }
  }
}
