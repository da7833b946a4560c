import { dataPaths } from "../common/data-paths.js";
import { NO_METRICS, type Metrics } from "../common/metrics.js";
import type { InvoiceStore } from "../domain/ports.js";
import { HtmlInvoiceDocuments } from "./invoice-documents.js";
import { SimulatedProvider } from "./simulated-provider.js";
import { SqliteInvoiceStore } from "./invoice-store.js";
import { Invoicing } from "./invoicing.js";

export interface BillingCore {
  invoicing: Invoicing;
  close(): void;
}

export function openBilling(
  dataDir: string,
  crashAfterInvoiceWrites = 0,
  metrics: Metrics = NO_METRICS,
  provider: { delayMs: number; concurrency: number } = { delayMs: 0, concurrency: 1 },
): BillingCore {
  const paths = dataPaths(dataDir);
  const documents = new HtmlInvoiceDocuments(paths.invoicesDir);
  const store = new SqliteInvoiceStore(paths.billingDb, (n) => documents.pathFor(n));
  const invoices = crashAfterInvoiceWrites > 0 ? crashAfterWrites(store, crashAfterInvoiceWrites) : store;
  const payments = provider.delayMs > 0 ? new SimulatedProvider(provider.delayMs, provider.concurrency) : undefined;
  return { invoicing: new Invoicing(invoices, documents, metrics, Date.now, payments), close: () => store.close() };
}

/**
 * Fault injection for the reliability drills (CRASH_AFTER_INVOICE_WRITE=n):
 * the process dies the moment its n-th new invoice is committed, before it
 * can answer the call or acknowledge the message.
 */
function crashAfterWrites(store: InvoiceStore, n: number): InvoiceStore {
  let written = 0;
  return {
    findByOrderId: (orderId) => store.findByOrderId(orderId),
    insert(invoice) {
      const result = store.insert(invoice);
      if (result.created && ++written >= n) process.kill(process.pid, "SIGKILL");
      return result;
    },
  };
}
