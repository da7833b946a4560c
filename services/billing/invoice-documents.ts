import { existsSync } from "node:fs";
import { mkdir, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Invoice } from "../gen/shop/v1/billing.js";
import type { InvoiceDocuments } from "../domain/ports.js";
import { renderInvoiceHtml } from "./invoice-html.js";

/** Payment documents as HTML files, one per invoice number. */
export class HtmlInvoiceDocuments implements InvoiceDocuments {
  #ready: Promise<unknown> | undefined;

  constructor(private readonly dir: string) {}

  pathFor(invoiceNumber: string): string {
    return join(this.dir, `${invoiceNumber}.html`);
  }

  exists(invoiceNumber: string): boolean {
    return existsSync(this.pathFor(invoiceNumber));
  }

  async write(invoice: Invoice): Promise<void> {
    this.#ready ??= mkdir(this.dir, { recursive: true });
    await this.#ready;
    const path = this.pathFor(invoice.invoiceNumber);
    // Write-then-rename: a crash never leaves half a document behind.
    const tmp = `${path}.${process.pid}.tmp`;
    await writeFile(tmp, renderInvoiceHtml(invoice));
    await rename(tmp, path);
  }
}
