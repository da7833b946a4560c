import type { AddressList } from "../common/address-list.js";
import type { TlsConfig } from "../common/tls-config.js";
import { NO_TRACING, type Tracing } from "../common/tracing.js";
import { RemoteInternalError } from "../domain/errors.js";
import type { BillingPort, ConfirmationRequest, InvoiceRef, NotifierPort, RequestContext } from "../domain/ports.js";
import { BillingServiceClient } from "../gen/shop/v1/billing_service.js";
import { NotificationServiceClient } from "../gen/shop/v1/notification_service.js";
import type { Order } from "../gen/shop/v1/order.js";
import { outgoingCallOptions } from "./call-context.js";
import { callUnary, createClient } from "./channel.js";
import { fromWireError } from "./error-mapping.js";
import { watchReachability } from "./reachability.js";
import type { Logger } from "../common/logger.js";

/** How the order service calls a downstream service. */
export interface DownstreamOptions {
  /** Budget of one call; the caller's own deadline wins when it is sooner. */
  deadlineMs: number;
  tracing?: Tracing;
  /** Mutual TLS: the order service's own certificate, and the CA its servers' must come from. */
  tls?: TlsConfig;
  /** Where the port says that its service became unreachable, and reachable again. */
  log?: Logger;
}

/** Billing as the order service reaches it over gRPC. */
export class GrpcBillingPort implements BillingPort {
  readonly #client: BillingServiceClient;

  readonly #deadlineMs: number;
  readonly #tracing: Tracing;

  constructor(addresses: AddressList, options: DownstreamOptions) {
    this.#client = createClient(BillingServiceClient, "shop.v1.BillingService", addresses, { tls: options.tls });
    if (options.log) watchReachability(this.#client, "billing", options.log);
    this.#deadlineMs = options.deadlineMs;
    this.#tracing = options.tracing ?? NO_TRACING;
  }

  async createInvoice(order: Order, ctx?: RequestContext): Promise<InvoiceRef> {
    try {
      const res = await callUnary(this.#client.createInvoice.bind(this.#client), { order }, outgoingCallOptions(this.#deadlineMs, ctx), {
        path: "shop.v1.BillingService/CreateInvoice",
        orderId: order.orderId,
        tracing: this.#tracing,
        parent: ctx?.trace,
      });
      if (!res.invoice) throw new RemoteInternalError("billing", "answered without an invoice");
      return { invoiceNumber: res.invoice.invoiceNumber };
    } catch (err) {
      throw fromWireError(err, "billing");
    }
  }

  close(): void {
    this.#client.close();
  }
}

/** Notification as the order service reaches it over gRPC. */
export class GrpcNotifierPort implements NotifierPort {
  readonly #client: NotificationServiceClient;

  readonly #deadlineMs: number;
  readonly #tracing: Tracing;

  constructor(addresses: AddressList, options: DownstreamOptions) {
    this.#client = createClient(NotificationServiceClient, "shop.v1.NotificationService", addresses, { tls: options.tls });
    if (options.log) watchReachability(this.#client, "notification", options.log);
    this.#deadlineMs = options.deadlineMs;
    this.#tracing = options.tracing ?? NO_TRACING;
  }

  async sendOrderConfirmation(request: ConfirmationRequest, ctx?: RequestContext): Promise<void> {
    try {
      await callUnary(this.#client.sendOrderConfirmation.bind(this.#client), request, outgoingCallOptions(this.#deadlineMs, ctx), {
        path: "shop.v1.NotificationService/SendOrderConfirmation",
        orderId: request.order.orderId,
        tracing: this.#tracing,
        parent: ctx?.trace,
      });
    } catch (err) {
      throw fromWireError(err, "notification");
    }
  }

  close(): void {
    this.#client.close();
  }
}
