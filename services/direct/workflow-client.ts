import { openBilling } from "../billing/open-billing.js";
import type { BillingPort, NotifierPort } from "../domain/ports.js";
import type { Order, OrderView } from "../gen/shop/v1/order.js";
import { openNotification } from "../notification/open-notification.js";
import { openOrder } from "../order/open-order.js";
import type { OrderWorkflowClient, Placement } from "../workflow.js";
import { DirectBillingPort, DirectNotifierPort } from "./downstream-ports.js";

export interface DirectOptions {
  /** Where the three cores keep their databases, invoice documents and e-mails. */
  dataDir: string;
  mailFrom?: string;
  /** Wraps the order core's ports, e.g. to measure what each call costs (the lab's work floor). */
  wrapBilling?(port: BillingPort): BillingPort;
  wrapNotifier?(port: NotifierPort): NotifierPort;
}

/**
 * The order workflow with no transport at all: the three services' cores in
 * this process over their own databases, the order core's ports calling
 * billing's and notification's cores directly. Failures are the cores' own
 * domain errors, so there is nothing to map. It runs the order contract in
 * seconds, and is what the lab's work floor measures.
 */
export class DirectWorkflowClient implements OrderWorkflowClient {
  /** A placement answers once every step has run, as in the synchronous mode. */
  readonly answerMeansComplete = true;
  readonly #close: () => void;
  readonly #place: (order: Order) => Promise<OrderView>;
  readonly #get: (orderId: string) => OrderView;

  constructor(options: DirectOptions) {
    const billing = openBilling(options.dataDir);
    const notification = openNotification(options.dataDir, { mailFrom: options.mailFrom ?? "shop@grpc-vs-nats.local" });
    const billingPort: BillingPort = new DirectBillingPort(billing.invoicing);
    const notifierPort: NotifierPort = new DirectNotifierPort(notification.notifying);
    const order = openOrder(
      options.dataDir,
      options.wrapBilling ? options.wrapBilling(billingPort) : billingPort,
      options.wrapNotifier ? options.wrapNotifier(notifierPort) : notifierPort,
    );
    this.#place = (o) => order.processor.place(o);
    this.#get = (id) => order.processor.getOrder(id);
    this.#close = () => {
      order.close();
      billing.close();
      notification.close();
    };
  }

  async placeOrder(order: Order): Promise<Placement> {
    // Every step runs inside the call: the answer is COMPLETED, or the step's error is thrown.
    const view = await this.#place(order);
    return { orderId: view.orderId, status: view.status };
  }

  async getOrder(orderId: string): Promise<OrderView> {
    return this.#get(orderId);
  }

  async close(): Promise<void> {
    this.#close();
  }
}
