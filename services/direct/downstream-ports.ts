import type { Invoicing } from "../billing/invoicing.js";
import type { BillingPort, ConfirmationRequest, InvoiceRef, NotifierPort } from "../domain/ports.js";
import type { Order } from "../gen/shop/v1/order.js";
import type { Notifying } from "../notification/notifying.js";

/** Billing as the order service reaches it in one process: a direct call to billing's core. */
export class DirectBillingPort implements BillingPort {
  constructor(private readonly invoicing: Invoicing) {}

  async createInvoice(order: Order): Promise<InvoiceRef> {
    const { invoice } = await this.invoicing.createInvoice(order);
    return { invoiceNumber: invoice.invoiceNumber };
  }
}

/** Notification as the order service reaches it in one process: a direct call to notification's core. */
export class DirectNotifierPort implements NotifierPort {
  constructor(private readonly notifying: Notifying) {}

  async sendOrderConfirmation(request: ConfirmationRequest): Promise<void> {
    await this.notifying.sendOrderConfirmation(request);
  }
}
