import type { Order } from "../gen/shop/v1/order.js";
import { isKnownCurrency } from "./currency.js";
import { InvalidOrderError, type FieldViolation } from "./errors.js";
import { MAX_AMOUNT_MINOR } from "./totals.js";

export const LIMITS = {
  orderIdLength: 64,
  nameLength: 200,
  skuLength: 64,
  emailLength: 254,
  items: 100,
  quantity: 10_000,
} as const;

// Safe as a NATS message id, a file name and a log token.
const ORDER_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/;
// One "@", a dotted domain, no spaces or controls; non-ASCII is allowed (SMTPUTF8, IDN).
const EMAIL = /^[^\s@<>()[\]\\,;:"\p{Cc}]+@[^\s@<>()[\]\\,;:"\p{Cc}.]+(\.[^\s@<>()[\]\\,;:"\p{Cc}.]+)+$/u;

function text(violations: FieldViolation[], field: string, value: string, max: number, required: boolean): void {
  if (required && value.trim() === "") violations.push({ field, rule: "must not be empty" });
  else if ([...value].length > max) violations.push({ field, rule: `must be at most ${max} characters` });
}

/** The rule an order id breaks when it is missing: from a placement, or from a read. */
export const ORDER_ID_REQUIRED: FieldViolation = { field: "order_id", rule: "must not be empty" };

/** An order id a read may look up; throws InvalidOrderError naming order_id when there is none. */
export function requireOrderId(orderId: string): string {
  if (orderId === "") throw new InvalidOrderError([ORDER_ID_REQUIRED]);
  return orderId;
}

/** Every rule an order breaks, in field order; empty when the order is valid. */
export function orderViolations(order: Order): FieldViolation[] {
  const v: FieldViolation[] = [];
  if (order.orderId === "") v.push(ORDER_ID_REQUIRED);
  else if (order.orderId.length > LIMITS.orderIdLength) v.push({ field: "order_id", rule: `must be at most ${LIMITS.orderIdLength} characters` });
  else if (!ORDER_ID.test(order.orderId))
    v.push({ field: "order_id", rule: "may contain only letters, digits and . _ : - and must start with a letter or digit" });

  const customer = order.customer;
  if (!customer) {
    v.push({ field: "customer", rule: "is required" });
  } else {
    text(v, "customer.id", customer.id, LIMITS.orderIdLength, false);
    text(v, "customer.name", customer.name, LIMITS.nameLength, true);
    if (customer.email === "") v.push({ field: "customer.email", rule: "must not be empty" });
    else if (customer.email.length > LIMITS.emailLength) v.push({ field: "customer.email", rule: `must be at most ${LIMITS.emailLength} characters` });
    else if (!EMAIL.test(customer.email)) v.push({ field: "customer.email", rule: "must be an e-mail address like name@example.com" });
  }

  if (order.items.length === 0) v.push({ field: "items", rule: "must contain at least one item" });
  else if (order.items.length > LIMITS.items) v.push({ field: "items", rule: `must contain at most ${LIMITS.items} items` });
  let total = 0n;
  order.items.forEach((item, i) => {
    const at = `items[${i}]`;
    text(v, `${at}.sku`, item.sku, LIMITS.skuLength, true);
    text(v, `${at}.name`, item.name, LIMITS.nameLength, true);
    if (item.quantity < 1) v.push({ field: `${at}.quantity`, rule: "must be at least 1" });
    else if (item.quantity > LIMITS.quantity) v.push({ field: `${at}.quantity`, rule: `must be at most ${LIMITS.quantity}` });
    if (item.unitPriceMinor < 0n) {
      v.push({ field: `${at}.unit_price_minor`, rule: "must not be negative" });
      return;
    }
    const line = BigInt(item.quantity) * item.unitPriceMinor;
    if (line > MAX_AMOUNT_MINOR) {
      v.push({ field: `${at}.unit_price_minor`, rule: `quantity x price must not exceed ${MAX_AMOUNT_MINOR}` });
      return;
    }
    total += line;
  });
  if (total > MAX_AMOUNT_MINOR) v.push({ field: "items", rule: `order total must not exceed ${MAX_AMOUNT_MINOR} minor units` });

  if (order.currency === "") v.push({ field: "currency", rule: "must not be empty" });
  else if (!isKnownCurrency(order.currency)) v.push({ field: "currency", rule: `unknown currency code ${JSON.stringify(order.currency)}` });
  return v;
}

export function validateOrder(order: Order): void {
  const violations = orderViolations(order);
  if (violations.length > 0) throw new InvalidOrderError(violations);
}
