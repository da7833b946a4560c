import { CreateInvoiceRequest, CreateInvoiceResponse } from "../gen/shop/v1/billing.js";
import { WorkFailed } from "../gen/shop/v1/events.js";
import { SendOrderConfirmationRequest, SendOrderConfirmationResponse } from "../gen/shop/v1/notification.js";
import { GetOrderRequest, Order, OrderView } from "../gen/shop/v1/order.js";
import { protoType, type ProtoType } from "./codec.js";
import { CONSUMERS, STREAMS, SUBJECTS, type ConsumerDeclaration } from "./topology.js";

/**
 * One subject of the asynchronous mode: the shop.v1 message it carries (the
 * same messages as the gRPC mode), the stream that keeps it and the durable
 * consumer that takes it, where there are such.
 */
export interface Route<T> {
  readonly subject: string;
  readonly payload: ProtoType<T>;
  readonly stream?: string;
  readonly consumer?: ConsumerDeclaration;
}

/** Every message the services exchange, typed: a publish and its handler name the same route. */
export const ROUTES = {
  orderPlaced: {
    subject: SUBJECTS.orderPlaced,
    payload: protoType("shop.v1.Order", Order),
    stream: STREAMS.orders,
    consumer: CONSUMERS.orderIntake,
  } satisfies Route<Order>,
  invoiceRequested: {
    subject: SUBJECTS.invoiceRequested,
    payload: protoType("shop.v1.CreateInvoiceRequest", CreateInvoiceRequest),
    stream: STREAMS.billing,
    consumer: CONSUMERS.invoicer,
  } satisfies Route<CreateInvoiceRequest>,
  emailRequested: {
    subject: SUBJECTS.emailRequested,
    payload: protoType("shop.v1.SendOrderConfirmationRequest", SendOrderConfirmationRequest),
    stream: STREAMS.notification,
    consumer: CONSUMERS.mailer,
  } satisfies Route<SendOrderConfirmationRequest>,
  invoiceCreated: {
    subject: SUBJECTS.invoiceCreated,
    payload: protoType("shop.v1.CreateInvoiceResponse", CreateInvoiceResponse),
    stream: STREAMS.events,
    consumer: CONSUMERS.orderEvents,
  } satisfies Route<CreateInvoiceResponse>,
  emailSent: {
    subject: SUBJECTS.emailSent,
    payload: protoType("shop.v1.SendOrderConfirmationResponse", SendOrderConfirmationResponse),
    stream: STREAMS.events,
    consumer: CONSUMERS.orderEvents,
  } satisfies Route<SendOrderConfirmationResponse>,
  workFailed: {
    subject: SUBJECTS.workFailed,
    payload: protoType("shop.v1.WorkFailed", WorkFailed),
    stream: STREAMS.events,
    consumer: CONSUMERS.orderEvents,
  } satisfies Route<WorkFailed>,
  /** Core NATS, best effort: an order that reached its end state. */
  orderUpdates: { subject: SUBJECTS.orderUpdates, payload: protoType("shop.v1.OrderView", OrderView) } satisfies Route<OrderView>,
  /** Request/reply (a NATS service endpoint): a GetOrderRequest, answered with an OrderView. */
  orderGet: {
    subject: SUBJECTS.orderGet,
    payload: protoType("shop.v1.GetOrderRequest", GetOrderRequest),
    reply: protoType("shop.v1.OrderView", OrderView),
  } satisfies Route<GetOrderRequest> & { reply: ProtoType<OrderView> },
};
