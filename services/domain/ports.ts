import type { Invoice } from "../gen/shop/v1/billing.js";
import type { Order, OrderStatus } from "../gen/shop/v1/order.js";

/** What the order service keeps about one order. */
export interface OrderRecord {
  orderId: string;
  status: OrderStatus;
  /** Digest of the order's encoding: a reused order id with other content is a conflict. */
  fingerprint: string;
  order: Order;
  totalMinor: bigint;
  invoiceNumber: string;
  emailSent: boolean;
  failureReason: string;
}

/** The order service's own database. */
export interface OrderStore {
  get(orderId: string): OrderRecord | undefined;
  /** Inserts the order as PROCESSING, or re-opens a REJECTED or FAILED one. */
  saveProcessing(record: Pick<OrderRecord, "orderId" | "fingerprint" | "order" | "totalMinor">): void;
  saveRejected(orderId: string, fingerprint: string, order: Order, reason: string): void;
  recordInvoice(orderId: string, invoiceNumber: string): void;
  /** Marks the e-mail sent, which completes the order. */
  recordEmailSent(orderId: string): void;
  recordFailure(orderId: string, reason: string): void;
}

/** The result of a step whose outcome arrives later, as an event (the asynchronous mode). */
export const DEFERRED = Symbol("deferred");
export type Deferred = typeof DEFERRED;

export interface InvoiceRef {
  invoiceNumber: string;
}

/** How the order service asks billing for an invoice; idempotent by order id. */
export interface BillingPort {
  createInvoice(order: Order): Promise<InvoiceRef | Deferred>;
}

export interface ConfirmationRequest {
  order: Order;
  invoiceNumber: string;
  totalMinor: bigint;
}

/** How the order service asks notification for the e-mail; idempotent by order id. */
export interface NotifierPort {
  sendOrderConfirmation(request: ConfirmationRequest): Promise<void | Deferred>;
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
}

/** Notification's database: one e-mail per order id. */
export interface EmailStore {
  find(orderId: string): EmailRecord | undefined;
  /** Records the intent to send; returns the row that holds the order id afterwards. */
  claim(record: Omit<EmailRecord, "status">): EmailRecord;
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
