import { renderOrderEmail } from "../domain/email-render.js";
import type { ConfirmationRequest, EmailStore, Mailer } from "../domain/ports.js";
import { SingleFlight } from "../domain/single-flight.js";
import { validateOrder } from "../domain/validation.js";

export interface ConfirmationResult {
  orderId: string;
  messageId: string;
  sentNow: boolean;
}

/** Notification's business logic: one order e-mail per order id. */
export class Notifying {
  readonly #flights = new SingleFlight<ConfirmationResult>();

  constructor(
    private readonly store: EmailStore,
    private readonly mailer: Mailer,
    private readonly mailDomain = "grpc-vs-nats.local",
  ) {}

  sendOrderConfirmation(request: ConfirmationRequest): Promise<ConfirmationResult> {
    validateOrder(request.order);
    return this.#flights.run(request.order.orderId, () => this.#send(request));
  }

  async #send({ order, invoiceNumber }: ConfirmationRequest): Promise<ConfirmationResult> {
    const orderId = order.orderId;
    const known = this.store.find(orderId);
    if (known?.status === "sent") return { orderId, messageId: known.messageId, sentNow: false };
    if (known && this.mailer.delivered?.(known.messageId)) {
      // A crash came between sending and recording; the transport knows it went out.
      this.store.markSent(orderId);
      return { orderId, messageId: known.messageId, sentNow: false };
    }
    const email = renderOrderEmail(order, invoiceNumber);
    // The Message-ID is derived from the order id: if a crash comes between
    // sending and recording, the resent copy carries the same id and mail
    // clients fold the two into one.
    const messageId = `<order-${orderId}@${this.mailDomain}>`;
    this.store.claim({ orderId, recipient: email.to, subject: email.subject, messageId });
    await this.mailer.send({ ...email, messageId });
    this.store.markSent(orderId);
    return { orderId, messageId, sentNow: true };
  }
}
