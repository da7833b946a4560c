import { OrderStatus } from "../../services/gen/shop/v1/order.js";
import type { LedgerSnapshot } from "./ledger.js";

/** What the client was told about one order it sent. */
export interface ClientRecord {
  orderId: string;
  /** The client got a success answer (gRPC: completed; NATS: the stream holds the order). */
  accepted: boolean;
  /** The error code the client saw, if any. */
  error?: string;
}

/** One run, classified from the client's record and the three services' own databases. */
export interface AuditLine {
  sent: number;
  accepted: number;
  completed: number;
  /** The client saw an error. */
  failedToClient: number;
  /** The client saw an error, yet the order completed (e.g. after a re-send, or the answer was lost). */
  recovered: number;
  /** Accepted but never invoiced: work that vanished. Must be 0. */
  lost: number;
  /** Accepted but not COMPLETED when the audit ran (e.g. FAILED with a reason, or still waiting). */
  incomplete: number;
  duplicateInvoices: number;
  duplicateEmails: number;
  /** E-mails whose send was attempted more than once (a crash or an SMTP error between send and record). */
  resentEmails: number;
  /** Invoices or e-mails for an order the order service has no record of. */
  unexpected: number;
  /** Accepted and reported COMPLETED to the client, but not COMPLETED in the database. Must be 0. */
  falseSuccess: number;
}

export function audit(records: readonly ClientRecord[], ledger: LedgerSnapshot, answerMeansComplete: boolean): AuditLine {
  const line: AuditLine = {
    sent: records.length,
    accepted: 0,
    completed: 0,
    failedToClient: 0,
    recovered: 0,
    lost: 0,
    incomplete: 0,
    duplicateInvoices: 0,
    duplicateEmails: 0,
    resentEmails: 0,
    unexpected: 0,
    falseSuccess: 0,
  };
  for (const r of records) {
    const completed = ledger.orders.get(r.orderId) === OrderStatus.ORDER_STATUS_COMPLETED;
    const invoices = ledger.invoices.get(r.orderId) ?? 0;
    if (completed) line.completed++;
    if (r.accepted) {
      line.accepted++;
      if (invoices === 0) line.lost++;
      if (!completed) line.incomplete++;
      if (answerMeansComplete && !completed) line.falseSuccess++;
    } else {
      line.failedToClient++;
      if (completed) line.recovered++;
    }
  }
  for (const [orderId, n] of ledger.invoices) {
    if (n > 1) line.duplicateInvoices++;
    if (!ledger.orders.has(orderId)) line.unexpected++;
  }
  for (const [orderId, e] of ledger.emails) {
    if (e.rows > 1) line.duplicateEmails++;
    if (e.attempts > 1) line.resentEmails++;
    if (!ledger.orders.has(orderId)) line.unexpected++;
  }
  return line;
}

export function formatAuditLine(name: string, a: AuditLine): string {
  return (
    `audit ${name}: sent ${a.sent}, accepted ${a.accepted}, completed ${a.completed}, failed-to-client ${a.failedToClient} ` +
    `(recovered ${a.recovered}), lost ${a.lost}, incomplete ${a.incomplete}, duplicate invoices ${a.duplicateInvoices}, ` +
    `duplicate e-mails ${a.duplicateEmails}, retried e-mail sends ${a.resentEmails}, unexpected ${a.unexpected}, false success ${a.falseSuccess}`
  );
}
