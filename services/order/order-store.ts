import { Order, OrderStatus } from "../gen/shop/v1/order.js";
import { openDatabase, type Db } from "../common/sqlite.js";
import type { OrderRecord, OrderStore } from "../domain/ports.js";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS orders (
  order_id TEXT PRIMARY KEY,
  status INTEGER NOT NULL,
  fingerprint TEXT NOT NULL,
  payload BLOB NOT NULL,
  total_minor INTEGER NOT NULL,
  currency TEXT NOT NULL,
  invoice_number TEXT NOT NULL DEFAULT '',
  email_sent INTEGER NOT NULL DEFAULT 0,
  failure_reason TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) WITHOUT ROWID;
-- No index on status: no query filters by it, and each status change would write its page too.
DROP INDEX IF EXISTS orders_status;
`;

interface Row {
  order_id: string;
  status: number;
  fingerprint: string;
  payload: Buffer;
  total_minor: bigint;
  currency: string;
  invoice_number: string;
  email_sent: number;
  failure_reason: string;
}

const COLUMNS = "order_id, status, fingerprint, payload, total_minor, currency, invoice_number, email_sent, failure_reason";

function toRecord(row: Row | undefined): OrderRecord | undefined {
  if (!row) return undefined;
  let order: Order | undefined;
  return {
    orderId: row.order_id,
    status: Number(row.status) as OrderStatus,
    fingerprint: row.fingerprint,
    // Most steps never look at the order itself: it is decoded on first use.
    get order() {
      return (order ??= Order.decode(row.payload));
    },
    currency: row.currency,
    totalMinor: row.total_minor,
    invoiceNumber: row.invoice_number,
    emailSent: Number(row.email_sent) === 1,
    failureReason: row.failure_reason,
  };
}

const { ORDER_STATUS_PROCESSING: PROCESSING, ORDER_STATUS_COMPLETED: COMPLETED, ORDER_STATUS_REJECTED: REJECTED, ORDER_STATUS_FAILED: FAILED } = OrderStatus;

export class SqliteOrderStore implements OrderStore {
  readonly db: Db;
  readonly #get;
  readonly #upsertProcessing;
  readonly #upsertRejected;
  readonly #invoice;
  readonly #emailSent;
  readonly #failure;

  constructor(file: string) {
    this.db = openDatabase(file, SCHEMA);
    this.#get = this.db.prepare<[string], Row>(`SELECT ${COLUMNS} FROM orders WHERE order_id = ?`).safeIntegers(true);
    this.#upsertProcessing = this.db.prepare(
      `INSERT INTO orders (order_id, status, fingerprint, payload, total_minor, currency, created_at, updated_at)
       VALUES (@orderId, ${PROCESSING}, @fingerprint, @payload, @totalMinor, @currency, @now, @now)
       ON CONFLICT(order_id) DO UPDATE SET status = ${PROCESSING}, fingerprint = excluded.fingerprint,
         payload = excluded.payload, total_minor = excluded.total_minor, currency = excluded.currency,
         failure_reason = '', updated_at = excluded.updated_at
       WHERE orders.status = ${REJECTED}`,
    );
    this.#upsertRejected = this.db.prepare(
      `INSERT INTO orders (order_id, status, fingerprint, payload, total_minor, currency, failure_reason, created_at, updated_at)
       VALUES (@orderId, ${REJECTED}, @fingerprint, @payload, 0, @currency, @reason, @now, @now)
       ON CONFLICT(order_id) DO UPDATE SET fingerprint = excluded.fingerprint, payload = excluded.payload,
         currency = excluded.currency, failure_reason = excluded.failure_reason, updated_at = excluded.updated_at
       WHERE orders.status = ${REJECTED}`,
    );
    // The updates return no row: the caller knows what it wrote (see #after).
    this.#invoice = this.db.prepare(
      `UPDATE orders SET invoice_number = ?, status = CASE WHEN status = ${FAILED} THEN ${PROCESSING} ELSE status END,
         failure_reason = '', updated_at = ? WHERE order_id = ? AND status <> ${COMPLETED}`,
    );
    this.#emailSent = this.db.prepare(
      `UPDATE orders SET email_sent = 1, status = ${COMPLETED}, failure_reason = '', updated_at = ?
       WHERE order_id = ? AND invoice_number <> '' AND status <> ${COMPLETED}`,
    );
    this.#failure = this.db.prepare(`UPDATE orders SET status = ${FAILED}, failure_reason = ?, updated_at = ? WHERE order_id = ? AND status = ${PROCESSING}`);
  }

  get(orderId: string): OrderRecord | undefined {
    return toRecord(this.#get.get(orderId));
  }

  saveProcessing(record: Pick<OrderRecord, "orderId" | "fingerprint" | "order" | "totalMinor">): OrderRecord | undefined {
    const { changes } = this.#upsertProcessing.run({
      orderId: record.orderId,
      fingerprint: record.fingerprint,
      payload: Buffer.from(Order.encode(record.order).finish()),
      totalMinor: record.totalMinor,
      currency: record.order.currency,
      now: Date.now(),
    });
    if (changes === 0) return undefined;
    // Inserted, or a REJECTED row re-opened: the row is what was just written.
    return {
      orderId: record.orderId,
      status: PROCESSING,
      fingerprint: record.fingerprint,
      order: record.order,
      currency: record.order.currency,
      totalMinor: record.totalMinor,
      invoiceNumber: "",
      emailSent: false,
      failureReason: "",
    };
  }

  /**
   * The record after an update that changed a row: derived from `latest` when the caller has it
   * (its order stays decoded), else read back. Undefined when nothing changed.
   */
  #after(orderId: string, changes: number, latest: OrderRecord | undefined, change: Partial<OrderRecord>): OrderRecord | undefined {
    if (changes === 0) return undefined;
    if (!latest) return this.get(orderId);
    return {
      orderId,
      status: latest.status,
      fingerprint: latest.fingerprint,
      // Decoded only if a later step looks at it, as a record read from the row.
      get order() {
        return latest.order;
      },
      currency: latest.currency,
      totalMinor: latest.totalMinor,
      invoiceNumber: latest.invoiceNumber,
      emailSent: latest.emailSent,
      failureReason: "",
      ...change,
    };
  }

  saveRejected(orderId: string, fingerprint: string, order: Order, reason: string): void {
    this.#upsertRejected.run({
      orderId,
      fingerprint,
      payload: Buffer.from(Order.encode(order).finish()),
      currency: order.currency,
      reason,
      now: Date.now(),
    });
  }

  recordInvoice(orderId: string, invoiceNumber: string, latest?: OrderRecord): OrderRecord | undefined {
    const { changes } = this.#invoice.run(invoiceNumber, Date.now(), orderId);
    const status = latest?.status === FAILED ? PROCESSING : latest?.status;
    return this.#after(orderId, changes, latest, { invoiceNumber, ...(status !== undefined ? { status } : {}) });
  }

  recordEmailSent(orderId: string, latest?: OrderRecord): OrderRecord | undefined {
    const { changes } = this.#emailSent.run(Date.now(), orderId);
    return this.#after(orderId, changes, latest, { emailSent: true, status: COMPLETED });
  }

  recordFailure(orderId: string, reason: string): boolean {
    return this.#failure.run(reason, Date.now(), orderId).changes > 0;
  }

  close(): void {
    this.db.close();
  }
}
