import type { TraceContext } from "./trace-context.js";
import type { Invoice } from "../gen/shop/v1/billing.js";
import type { Order, OrderStatus } from "../gen/shop/v1/order.js";

/** What the order service keeps about one order. */
export interface OrderRecord {
  orderId: string;
  status: OrderStatus;
  /** Digest of the order's encoding: a reused order id with other content is a conflict. */
  fingerprint: string;
  /** The order as placed; stores may decode it only when it is read. */
  readonly order: Order;
  currency: string;
  totalMinor: bigint;
  invoiceNumber: string;
  emailSent: boolean;
  failureReason: string;
}

/**
 * The order service's own database. Each change returns the record as it
 * stands afterwards, so that a step never reads back what it just wrote;
 * undefined means the change did not apply (the record is then read anew).
 */
export interface OrderStore {
  get(orderId: string): OrderRecord | undefined;
  /**
   * Inserts the order as PROCESSING, or re-opens a REJECTED one; undefined when the id is taken
   * by an order in any other state (the caller then reads it). One statement, no read first.
   */
  saveProcessing(record: Pick<OrderRecord, "orderId" | "fingerprint" | "order" | "totalMinor">): OrderRecord | undefined;
  saveRejected(orderId: string, fingerprint: string, order: Order, reason: string): void;
  /** Records the invoice; `latest` (the record as the caller last saw it) spares reading the row back. */
  recordInvoice(orderId: string, invoiceNumber: string, latest?: OrderRecord): OrderRecord | undefined;
  /** Marks the e-mail sent, which completes the order; undefined when it was complete already. */
  recordEmailSent(orderId: string, latest?: OrderRecord): OrderRecord | undefined;
  /** Marks a PROCESSING order FAILED; false when it was not PROCESSING. */
  recordFailure(orderId: string, reason: string): boolean;
}

/** The result of a step whose outcome arrives later, as an event (the asynchronous mode). */
export const DEFERRED = Symbol("deferred");
export type Deferred = typeof DEFERRED;

export interface InvoiceRef {
  invoiceNumber: string;
}

/**
 * What a request carries down to the calls it causes: the caller's deadline
 * (epoch ms), if it set one, and the trace it belongs to, if it is traced.
 */
export interface RequestContext {
  deadline?: number;
  trace?: TraceContext;
}

/** How the order service asks billing for an invoice; idempotent by order id. */
export interface BillingPort {
  createInvoice(order: Order, ctx?: RequestContext): Promise<InvoiceRef | Deferred>;
}

export interface ConfirmationRequest {
  order: Order;
  invoiceNumber: string;
  totalMinor: bigint;
}

/** How the order service asks notification for the e-mail; idempotent by order id. */
export interface NotifierPort {
  sendOrderConfirmation(request: ConfirmationRequest, ctx?: RequestContext): Promise<void | Deferred>;
}

/** The provider billing confirms a new invoice's payment with, before it issues the invoice. */
export interface PaymentProvider {
  authorize(orderId: string): Promise<void>;
}

/** Billing's database: one invoice per order id. */
export interface InvoiceStore {
  findByOrderId(orderId: string): Invoice | undefined;
  /** Stores a new invoice and numbers it in the same transaction; returns the existing one on a race. */
  insert(invoice: Omit<Invoice, "invoiceNumber" | "documentPath">): { invoice: Invoice; created: boolean };
}

/** Writes the payment document a person can open; re-writing one is harmless. */
export interface InvoiceDocuments {
  pathFor(invoiceNumber: string): string;
  write(invoice: Invoice): Promise<void>;
  exists(invoiceNumber: string): boolean;
}

export interface EmailRecord {
  orderId: string;
  recipient: string;
  subject: string;
  messageId: string;
  status: "sending" | "sent";
  /** How many times a send was begun for this order: more than one means an earlier attempt may have gone out. */
  attempts: number;
}

/** Notification's database: one e-mail per order id. */
export interface EmailStore {
  find(orderId: string): EmailRecord | undefined;
  /** Records the intent to send (counting the attempt); returns the row that holds the order id afterwards. */
  claim(record: Omit<EmailRecord, "status" | "attempts">): EmailRecord;
  markSent(orderId: string): void;
}

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html: string;
  messageId: string;
}

/** The mail transport (SMTP, or an outbox folder). */
export interface Mailer {
  send(mail: OutgoingMail): Promise<void>;
  /** Whether a message with this id is known to have gone out; undefined when the transport cannot tell (SMTP). */
  delivered?(messageId: string): boolean;
  close(): void;
}
