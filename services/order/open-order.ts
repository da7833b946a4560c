import { dataPaths } from "../common/data-paths.js";
import { NO_METRICS, type Metrics } from "../common/metrics.js";
import type { BillingPort, NotifierPort } from "../domain/ports.js";
import { OrderProcessor } from "./order-processor.js";
import { SqliteOrderStore } from "./order-store.js";

export interface OrderCore {
  processor: OrderProcessor;
  close(): void;
}

/** The order service's core over its own database; the adapter supplies how billing and notification are reached. */
export function openOrder(dataDir: string, billing: BillingPort, notifier: NotifierPort, metrics: Metrics = NO_METRICS): OrderCore {
  const store = new SqliteOrderStore(dataPaths(dataDir).orderDb);
  return { processor: new OrderProcessor(store, billing, notifier, metrics), close: () => store.close() };
}
