import { createHash } from "node:crypto";
import { Order } from "../gen/shop/v1/order.js";

/** A digest of the order's protobuf encoding, which is deterministic for equal messages. */
export function fingerprintOrder(order: Order): string {
  return createHash("sha256").update(Order.encode(order).finish()).digest("base64url");
}
