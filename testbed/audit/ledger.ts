import { existsSync } from "node:fs";
import { dataPaths } from "../../services/common/data-paths.js";
import { openReadOnly, type Db } from "../../services/common/sqlite.js";

/** What the three services' own databases say about one order. */
export interface OrderLedger {
  orderId: string;
  /** OrderStatus number from the order service's database, or undefined when it has no row. */
  status?: number;
  failureReason?: string;
  invoices: number;
  invoiceNumber?: string;
  invoiceTotalMinor?: bigint;
  emails: number;
  emailRecipient?: string;
  emailStatus?: string;
}

export interface LedgerSnapshot {
  /** order id -> OrderStatus number */
  orders: Map<string, number>;
  /** order id -> invoice rows */
  invoices: Map<string, number>;
  emails: Map<string, { rows: number; attempts: number; sent: boolean }>;
}

/**
 * Reads the services' databases directly (read-only, beside the running
 * services thanks to WAL), the way an auditor checks a run from the records
 * rather than from what any client was told.
 */
export class Ledger {
  readonly #dbs: Db[] = [];
  readonly #order;
  readonly #invoice;
  readonly #email;
  readonly #orderAll;
  readonly #invoiceAll;
  readonly #emailAll;

  constructor(readonly dataDir: string) {
    const paths = dataPaths(dataDir);
    for (const f of [paths.orderDb, paths.billingDb, paths.notificationDb]) {
      if (!existsSync(f)) throw new Error(`no database at ${f}: has the service run with DATA_DIR=${dataDir}?`);
    }
    const order = this.#open(paths.orderDb);
    const billing = this.#open(paths.billingDb);
    const notification = this.#open(paths.notificationDb);
    this.#order = order.prepare<[string], { status: number; failure_reason: string }>("SELECT status, failure_reason FROM orders WHERE order_id = ?");
    this.#invoice = billing
      .prepare<[string], { n: number; invoice_number: string | null; total_minor: bigint | null }>(
        "SELECT count(*) AS n, max(invoice_number) AS invoice_number, max(total_minor) AS total_minor FROM invoices WHERE order_id = ?",
      )
      .safeIntegers(true);
    this.#email = notification.prepare<[string], { n: number; recipient: string | null; status: string | null }>(
      "SELECT count(*) AS n, max(recipient) AS recipient, max(status) AS status FROM emails WHERE order_id = ?",
    );
    this.#orderAll = order.prepare<[], { order_id: string; status: number }>("SELECT order_id, status FROM orders");
    this.#invoiceAll = billing.prepare<[], { order_id: string; n: number }>("SELECT order_id, count(*) AS n FROM invoices GROUP BY order_id");
    this.#emailAll = notification.prepare<[], { order_id: string; n: number; attempts: number; sent: number }>(
      "SELECT order_id, count(*) AS n, max(attempts) AS attempts, max(status = 'sent') AS sent FROM emails GROUP BY order_id",
    );
  }

  /** One service's database, read-only, for ad-hoc questions. */
  db(service: "order" | "billing" | "notification"): Db {
    return this.#dbs[["order", "billing", "notification"].indexOf(service)]!;
  }

  #open(file: string): Db {
    const db = openReadOnly(file);
    this.#dbs.push(db);
    return db;
  }

  order(orderId: string): OrderLedger {
    const o = this.#order.get(orderId);
    const i = this.#invoice.get(orderId)!;
    const e = this.#email.get(orderId)!;
    return {
      orderId,
      status: o?.status,
      failureReason: o?.failure_reason,
      invoices: Number(i.n),
      invoiceNumber: i.invoice_number ?? undefined,
      invoiceTotalMinor: i.total_minor ?? undefined,
      emails: Number(e.n),
      emailRecipient: e.recipient ?? undefined,
      emailStatus: e.status ?? undefined,
    };
  }

  /** Every order, invoice and e-mail row, keyed by order id, for auditing a whole run. */
  snapshot(): LedgerSnapshot {
    const orders = new Map<string, number>();
    for (const r of this.#orderAll.iterate()) orders.set(r.order_id, r.status);
    const invoices = new Map<string, number>();
    for (const r of this.#invoiceAll.iterate()) invoices.set(r.order_id, r.n);
    const emails = new Map<string, { rows: number; attempts: number; sent: boolean }>();
    for (const r of this.#emailAll.iterate()) emails.set(r.order_id, { rows: r.n, attempts: r.attempts, sent: r.sent === 1 });
    return { orders, invoices, emails };
  }

  close(): void {
    for (const db of this.#dbs.splice(0)) db.close();
  }
}
