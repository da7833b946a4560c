// Starts the gRPC mode as three processes on free ports (from the build), places a few sample orders, prints them, stops.
// With ORDER_SERVICE_ADDR set it starts nothing: it places the samples with the order service there, as a
// client of the secure profile when TLS_CA_FILE, TLS_CERT_FILE and TLS_KEY_FILE (or --tls-*) are set.
import { parseArgs } from "node:util";
import { formatMoney } from "../services/domain/currency.js";
import { OrderStatus, type Order } from "../services/gen/shop/v1/order.js";
import { GrpcWorkflowClient } from "../services/grpc/workflow-client.js";
import { CLIENT_FLAGS, clientSettings } from "./lib/client-settings.js";
import { startStack } from "./lib/stack/start-stack.js";

const DATA_DIR = process.env.DATA_DIR ?? "./data/demo";

const SAMPLES: Order[] = [
  {
    orderId: `demo-${Date.now()}-1`,
    customer: { id: "c-1", name: "Ada Lovelace", email: "ada@example.com" },
    items: [{ sku: "MUG-1", name: "Mug", quantity: 2, unitPriceMinor: 1250n }],
    currency: "EUR",
  },
  {
    orderId: `demo-${Date.now()}-2`,
    customer: { id: "c-2", name: "Алексей Иванов", email: "alexey@example.ru" },
    items: [
      { sku: "TEA-7", name: "Чай", quantity: 3, unitPriceMinor: 45000n },
      { sku: "CUP-2", name: "Чашка", quantity: 1, unitPriceMinor: 99000n },
    ],
    currency: "RUB",
  },
  {
    orderId: `demo-${Date.now()}-3`,
    customer: { id: "c-3", name: "Grace Hopper", email: "not-an-address" },
    items: [{ sku: "BOOK-1", name: "Book", quantity: 1, unitPriceMinor: 3999n }],
    currency: "USD",
  },
];

/** The order service to use: one given by ORDER_SERVICE_ADDR, or the three services started here as processes (stopped at the end). */
async function orderService(): Promise<{ address: string; stop(): Promise<void> }> {
  const given = process.env.ORDER_SERVICE_ADDR;
  if (given) return { address: given, stop: () => Promise.resolve() };
  const stack = await startStack({ mode: "grpc", where: "processes", dataDir: DATA_DIR });
  return { address: stack.entry, stop: () => stack.stop() };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: CLIENT_FLAGS });
  const { tls } = clientSettings(values, process.env);
  const service = await orderService();
  const client = new GrpcWorkflowClient({ orderServiceAddr: service.address, tls });
  let completed = 0;
  try {
    for (const order of SAMPLES) {
      try {
        const placement = await client.placeOrder(order);
        const view = await client.getOrder(placement.orderId);
        if (view.status === OrderStatus.ORDER_STATUS_COMPLETED) completed++;
        console.log(
          `${view.orderId}: ${OrderStatus[view.status]} total ${formatMoney(view.totalMinor, view.currency)}, invoice ${view.invoiceNumber}, e-mail sent ${view.emailSent}`,
        );
      } catch (err) {
        console.log(`${order.orderId}: refused: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    if (!process.env.ORDER_SERVICE_ADDR) console.log(`\nInvoices: ${DATA_DIR}/invoices/   E-mails: ${DATA_DIR}/outbox/`);
  } finally {
    await client.close();
    await service.stop();
  }
  // The third sample is invalid on purpose; none completing means the service could not be used.
  if (completed === 0) throw new Error(`no sample order completed at ${service.address}`);
}

main().catch((err: unknown) => {
  process.stderr.write(`demo: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
