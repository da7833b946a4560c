import { dataPaths } from "../common/data-paths.js";
import { HtmlInvoiceDocuments } from "./invoice-documents.js";
import { SqliteInvoiceStore } from "./invoice-store.js";
import { Invoicing } from "./invoicing.js";

export interface BillingCore {
  invoicing: Invoicing;
  close(): void;
}

export function openBilling(dataDir: string): BillingCore {
  const paths = dataPaths(dataDir);
  const documents = new HtmlInvoiceDocuments(paths.invoicesDir);
  const store = new SqliteInvoiceStore(paths.billingDb, (n) => documents.pathFor(n));
  return { invoicing: new Invoicing(store, documents), close: () => store.close() };
}
