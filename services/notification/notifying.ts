import { NO_METRICS, timeStep, type Metrics } from "../common/metrics.js";
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
    private readonly metrics: Metrics = NO_METRICS,
    private readonly mailDomain = "grpc-vs-nats.local",
  ) {}

  sendOrderConfirmation(request: ConfirmationRequest): Promise<ConfirmationResult> {
    validateOrder(request.order);
    return timeStep(this.metrics, "email", () => this.#flights.run(request.order.orderId, () => this.#send(request)));
  }

  async #send({ order, invoiceNumber }: ConfirmationRequest): Promise<ConfirmationResult> {
    const orderId = order.orderId;
    const email = renderOrderEmail(order, invoiceNumber);
    // The Message-ID is derived from the order id: if a crash comes between
    // sending and recording, the resent copy carries the same id and mail
    // clients fold the two into one.
    const messageId = `<order-${orderId}@${this.mailDomain}>`;
    // One statement in the usual case: the claim says whether the e-mail was sent or begun before.
    const claimed = this.store.claim({ orderId, recipient: email.to, subject: email.subject, messageId });
    if (claimed.status === "sent") return { orderId, messageId: claimed.messageId, sentNow: false };
    if (claimed.attempts > 1 && this.mailer.delivered?.(claimed.messageId)) {
      // A crash came between sending and recording; the transport knows it went out.
      this.store.markSent(orderId);
      return { orderId, messageId: claimed.messageId, sentNow: false };
    }
    await this.mailer.send({ ...email, messageId: claimed.messageId });
    this.store.markSent(orderId);
    return { orderId, messageId, sentNow: true };
  }
}
