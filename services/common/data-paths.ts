import { join } from "node:path";

/** Where each service keeps its own data under DATA_DIR; the audit reads the same places. */
export function dataPaths(dataDir: string) {
  return {
    orderDb: join(dataDir, "order.db"),
    billingDb: join(dataDir, "billing.db"),
    invoicesDir: join(dataDir, "invoices"),
    notificationDb: join(dataDir, "notification.db"),
    outboxDir: join(dataDir, "outbox"),
    natsStoreDir: join(dataDir, "nats"),
  };
}
