import type { Invoice } from "../gen/shop/v1/billing.js";
import type { Order } from "../gen/shop/v1/order.js";
import { NO_METRICS, timeStep, type Metrics } from "../common/metrics.js";
import { NotFoundError } from "../domain/errors.js";
import type { InvoiceDocuments, InvoiceStore, PaymentProvider } from "../domain/ports.js";
import { SingleFlight } from "../domain/single-flight.js";
import { computeTotals } from "../domain/totals.js";
import { validateOrder } from "../domain/validation.js";

export interface InvoiceResult {
  invoice: Invoice;
  created: boolean;
}

/** Billing's business logic: one invoice, with its document, per order id. */
export class Invoicing {
  readonly #flights = new SingleFlight<InvoiceResult>();

  constructor(
    private readonly store: InvoiceStore,
    private readonly documents: InvoiceDocuments,
    private readonly metrics: Metrics = NO_METRICS,
    private readonly now: () => number = Date.now,
    private readonly provider?: PaymentProvider,
  ) {}

  createInvoice(order: Order): Promise<InvoiceResult> {
    // Billing is reachable by any client, so it checks the order itself.
    validateOrder(order);
    return timeStep(this.metrics, "invoice", () => this.#flights.run(order.orderId, () => this.#create(order)));
  }

  getInvoice(orderId: string): Invoice {
    const invoice = this.store.findByOrderId(orderId);
    if (!invoice) throw NotFoundError.of("invoice for order", orderId);
    return invoice;
  }

  async #create(order: Order): Promise<InvoiceResult> {
    // A new invoice waits for the provider; a re-request of an existing one does not.
    if (this.provider && !this.store.findByOrderId(order.orderId)) await this.provider.authorize(order.orderId);
    // The insert itself tells whether the order already had its invoice (one row per order id).
    const { lines, totalMinor } = computeTotals(order.items);
    const customer = order.customer!;
    const result = this.store.insert({
      orderId: order.orderId,
      customerName: customer.name,
      customerEmail: customer.email,
      lines,
      totalMinor,
      currency: order.currency,
      issuedAtMs: BigInt(this.now()),
    });
    // An existing invoice may lack its document if a crash came between the row and the file.
    if (result.created || !this.documents.exists(result.invoice.invoiceNumber)) await this.documents.write(result.invoice);
    return result;
  }
}
