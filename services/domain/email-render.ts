import type { Order } from "../gen/shop/v1/order.js";
import { formatMoney } from "./currency.js";
import { escapeHtml } from "./html.js";
import { computeTotals } from "./totals.js";

export interface RenderedEmail {
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** The order confirmation a customer receives; pure, so a retry renders the same e-mail. */
export function renderOrderEmail(order: Order, invoiceNumber: string): RenderedEmail {
  const customer = order.customer;
  if (!customer) throw new TypeError("order has no customer");
  const { lines, totalMinor } = computeTotals(order.items);
  const money = (minor: bigint) => formatMoney(minor, order.currency);
  const subject = `Your order ${order.orderId} is confirmed`;
  const text = [
    `Hello ${customer.name},`,
    "",
    `thank you for your order ${order.orderId}.`,
    "",
    ...lines.map((l) => `  ${l.quantity} x ${l.name} (${l.sku})  ${money(l.lineTotalMinor)}`),
    "",
    `Total: ${money(totalMinor)}`,
    `Invoice: ${invoiceNumber}`,
    "",
    "The shop",
  ].join("\n");
  const rows = lines
    .map(
      (l) => `<tr><td>${l.quantity}</td><td>${escapeHtml(l.name)} <small>${escapeHtml(l.sku)}</small></td><td>${escapeHtml(money(l.lineTotalMinor))}</td></tr>`,
    )
    .join("");
  const html =
    `<p>Hello ${escapeHtml(customer.name)},</p><p>thank you for your order <b>${escapeHtml(order.orderId)}</b>.</p>` +
    `<table>${rows}</table><p>Total: <b>${escapeHtml(money(totalMinor))}</b><br>Invoice: ${escapeHtml(invoiceNumber)}</p>`;
  return { to: customer.email, subject, text, html };
}
