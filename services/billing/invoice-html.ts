import type { Invoice } from "../gen/shop/v1/billing.js";
import { formatMoney } from "../domain/currency.js";
import { escapeHtml } from "../domain/html.js";

/** The payment document: a standalone HTML page a person can open and print. */
export function renderInvoiceHtml(invoice: Invoice): string {
  const money = (minor: bigint) => escapeHtml(formatMoney(minor, invoice.currency));
  const rows = invoice.lines
    .map(
      (l) =>
        `<tr><td>${escapeHtml(l.sku)}</td><td>${escapeHtml(l.name)}</td><td class="n">${l.quantity}</td>` +
        `<td class="n">${money(l.unitPriceMinor)}</td><td class="n">${money(l.lineTotalMinor)}</td></tr>`,
    )
    .join("\n");
  const issued = new Date(Number(invoice.issuedAtMs)).toISOString().slice(0, 10);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Invoice ${escapeHtml(invoice.invoiceNumber)}</title>
<style>body{font-family:sans-serif;max-width:48rem;margin:2rem auto}table{width:100%;border-collapse:collapse}
td,th{border-bottom:1px solid #ccc;padding:.4rem;text-align:left}.n{text-align:right}</style></head>
<body><h1>Invoice ${escapeHtml(invoice.invoiceNumber)}</h1>
<p>Issued ${issued} for order <b>${escapeHtml(invoice.orderId)}</b><br>
Bill to: ${escapeHtml(invoice.customerName)} &lt;${escapeHtml(invoice.customerEmail)}&gt;</p>
<table><thead><tr><th>SKU</th><th>Item</th><th class="n">Qty</th><th class="n">Unit price</th><th class="n">Amount</th></tr></thead>
<tbody>
${rows}
</tbody>
<tfoot><tr><th colspan="4">Total</th><th class="n">${money(invoice.totalMinor)}</th></tr></tfoot></table>
</body></html>
`;
}
