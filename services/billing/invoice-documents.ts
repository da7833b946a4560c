import { existsSync } from "node:fs";
import { AtomicFiles } from "../common/atomic-file.js";
import type { InvoiceDocuments } from "../domain/ports.js";
import type { Invoice } from "../gen/shop/v1/billing.js";
import { renderInvoiceHtml } from "./invoice-html.js";

/** Payment documents as HTML files, one per invoice number. */
export class HtmlInvoiceDocuments implements InvoiceDocuments {
  readonly #files: AtomicFiles;

  constructor(dir: string) {
    this.#files = new AtomicFiles(dir);
  }

  pathFor(invoiceNumber: string): string {
    return this.#files.path(`${invoiceNumber}.html`);
  }

  exists(invoiceNumber: string): boolean {
    return existsSync(this.pathFor(invoiceNumber));
  }

  write(invoice: Invoice): Promise<void> {
    this.#files.write(`${invoice.invoiceNumber}.html`, renderInvoiceHtml(invoice));
    return Promise.resolve();
  }
}
