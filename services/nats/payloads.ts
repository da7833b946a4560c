import { CreateInvoiceRequest, CreateInvoiceResponse } from "../gen/shop/v1/billing.js";
import { SendOrderConfirmationRequest, SendOrderConfirmationResponse } from "../gen/shop/v1/notification.js";
import { GetOrderRequest, Order, OrderView } from "../gen/shop/v1/order.js";
import { WorkFailed } from "../gen/shop/v1/events.js";
import { protoType } from "./codec.js";

/** The shop.v1 message each subject carries: the same messages as the gRPC mode. */
export const PAYLOADS = {
  order: protoType("shop.v1.Order", Order),
  getOrderRequest: protoType("shop.v1.GetOrderRequest", GetOrderRequest),
  orderView: protoType("shop.v1.OrderView", OrderView),
  invoiceRequest: protoType("shop.v1.CreateInvoiceRequest", CreateInvoiceRequest),
  invoiceCreated: protoType("shop.v1.CreateInvoiceResponse", CreateInvoiceResponse),
  emailRequest: protoType("shop.v1.SendOrderConfirmationRequest", SendOrderConfirmationRequest),
  emailSent: protoType("shop.v1.SendOrderConfirmationResponse", SendOrderConfirmationResponse),
  workFailed: protoType("shop.v1.WorkFailed", WorkFailed),
};
