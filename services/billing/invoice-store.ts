import { BinaryReader, BinaryWriter } from "@bufbuild/protobuf/wire";
import { InvoiceLine, type Invoice } from "../gen/shop/v1/billing.js";
import { openDatabase, type Db } from "../common/sqlite.js";
import { formatInvoiceNumber } from "../domain/invoice-number.js";
import type { InvoiceStore } from "../domain/ports.js";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS invoices (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  invoice_number TEXT NOT NULL UNIQUE,
  order_id TEXT NOT NULL UNIQUE,
  customer_name TEXT NOT NULL,
  customer_email TEXT NOT NULL,
  lines BLOB NOT NULL,
  total_minor INTEGER NOT NULL,
  currency TEXT NOT NULL,
  issued_at_ms INTEGER NOT NULL
);
`;

interface Row {
  invoice_number: string;
  order_id: string;
  customer_name: string;
  customer_email: string;
  lines: Buffer;
  total_minor: bigint;
  currency: string;
  issued_at_ms: bigint;
}

// Lines are kept as a sequence of length-delimited InvoiceLine messages.
function encodeLines(lines: readonly InvoiceLine[]): Buffer {
  const writer = new BinaryWriter();
  for (const line of lines) InvoiceLine.encode(line, writer.fork()).join();
  return Buffer.from(writer.finish());
}

function decodeLines(buf: Buffer): InvoiceLine[] {
  const reader = new BinaryReader(buf);
  const lines: InvoiceLine[] = [];
  while (reader.pos < reader.len) lines.push(InvoiceLine.decode(reader, reader.uint32()));
  return lines;
}

export class SqliteInvoiceStore implements InvoiceStore {
  readonly db: Db;
  readonly #find;
  readonly #insert;
  readonly #lastSeq;
  readonly #has;
  readonly #insertTx;

  constructor(
    file: string,
    private readonly documentPath: (invoiceNumber: string) => string,
  ) {
    this.db = openDatabase(file, SCHEMA);
    this.#find = this.db.prepare<[string], Row>("SELECT * FROM invoices WHERE order_id = ?").safeIntegers(true);
    this.#insert = this.db.prepare(
      `INSERT INTO invoices (seq, invoice_number, order_id, customer_name, customer_email, lines, total_minor, currency, issued_at_ms)
       VALUES (@seq, @invoiceNumber, @orderId, @customerName, @customerEmail, @lines, @totalMinor, @currency, @issuedAtMs)`,
    );
    this.#has = this.db.prepare<[string], { one: number }>("SELECT 1 AS one FROM invoices WHERE order_id = ?");
    // AUTOINCREMENT keeps the highest sequence ever used here, so a number is never handed out twice.
    this.#lastSeq = this.db.prepare<[], { seq: number }>("SELECT seq FROM sqlite_sequence WHERE name = 'invoices'");
    // The number comes from the row's sequence: read and used under the write lock (BEGIN IMMEDIATE),
    // so that processes sharing the database never number two invoices alike, and an order that
    // has its invoice is seen before a number is taken: the numbers have no gaps.
    this.#insertTx = this.db.transaction((invoice: Omit<Invoice, "invoiceNumber" | "documentPath">): string | undefined => {
      if (this.#has.get(invoice.orderId)) return undefined;
      const seq = (this.#lastSeq.get()?.seq ?? 0) + 1;
      const invoiceNumber = formatInvoiceNumber(seq, new Date(Number(invoice.issuedAtMs)));
      this.#insert.run({
        seq,
        invoiceNumber,
        orderId: invoice.orderId,
        customerName: invoice.customerName,
        customerEmail: invoice.customerEmail,
        lines: encodeLines(invoice.lines),
        totalMinor: invoice.totalMinor,
        currency: invoice.currency,
        issuedAtMs: invoice.issuedAtMs,
      });
      return invoiceNumber;
    });
  }

  findByOrderId(orderId: string): Invoice | undefined {
    const row = this.#find.get(orderId);
    if (!row) return undefined;
    return {
      invoiceNumber: row.invoice_number,
      orderId: row.order_id,
      customerName: row.customer_name,
      customerEmail: row.customer_email,
      lines: decodeLines(row.lines),
      totalMinor: row.total_minor,
      currency: row.currency,
      issuedAtMs: row.issued_at_ms,
      documentPath: this.documentPath(row.invoice_number),
    };
  }

  insert(invoice: Omit<Invoice, "invoiceNumber" | "documentPath">): { invoice: Invoice; created: boolean } {
    const invoiceNumber = this.#insertTx.immediate(invoice);
    // A new row is exactly what was written: no need to read it back.
    if (invoiceNumber !== undefined) return { invoice: { ...invoice, invoiceNumber, documentPath: this.documentPath(invoiceNumber) }, created: true };
    const stored = this.findByOrderId(invoice.orderId);
    if (!stored) throw new Error(`invoice for ${invoice.orderId} vanished after insert`);
    return { invoice: stored, created: false };
  }

  close(): void {
    this.db.close();
  }
}
