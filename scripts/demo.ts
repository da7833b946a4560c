// npm run demo [-- --mode grpc|nats]: starts the mode's three services as processes (NATS: with a private
// nats-server), places a few sample orders, prints each order's outcome and where its invoice and e-mail
// are, then stops. With ORDER_SERVICE_ADDR (gRPC) or NATS_URL (NATS) set it starts nothing and places the
// samples there, as a client of the secure profile when TLS_* (and NATS_NKEY_SEED_FILE) or the --tls-* and
// --nkey-seed flags are set.
import { existsSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { MODES, type Mode } from "../services/common/config.js";
import { dataPaths } from "../services/common/data-paths.js";
import { formatMoney } from "../services/domain/currency.js";
import { NotFoundError } from "../services/domain/errors.js";
import { OrderStatus, type Order, type OrderView } from "../services/gen/shop/v1/order.js";
import { GrpcWorkflowClient } from "../services/grpc/workflow-client.js";
import { NatsWorkflowClient } from "../services/nats/workflow-client.js";
import type { OrderWorkflowClient } from "../services/workflow.js";
import { CLIENT_FLAGS, clientSettings, type ClientSettings } from "../testbed/client-settings.js";
import { startStack } from "../testbed/stack/start-stack.js";
import { ENTRY_VAR } from "../testbed/stack/stack.js";

function samples(): Order[] {
  const at = Date.now();
  return [
    {
      orderId: `demo-${at}-1`,
      customer: { id: "c-1", name: "Ada Lovelace", email: "ada@example.com" },
      items: [{ sku: "MUG-1", name: "Mug", quantity: 2, unitPriceMinor: 1250n }],
      currency: "EUR",
    },
    {
      orderId: `demo-${at}-2`,
      customer: { id: "c-2", name: "Алексей Иванов", email: "alexey@example.ru" },
      items: [
        { sku: "TEA-7", name: "Чай", quantity: 3, unitPriceMinor: 45000n },
        { sku: "CUP-2", name: "Чашка", quantity: 1, unitPriceMinor: 99000n },
      ],
      currency: "RUB",
    },
    {
      orderId: `demo-${at}-3`,
      customer: { id: "c-3", name: "Grace Hopper", email: "not-an-address" },
      items: [{ sku: "BOOK-1", name: "Book", quantity: 1, unitPriceMinor: 3999n }],
      currency: "USD",
    },
  ];
}

const FINAL = new Set([OrderStatus.ORDER_STATUS_COMPLETED, OrderStatus.ORDER_STATUS_REJECTED, OrderStatus.ORDER_STATUS_FAILED]);

/**
 * The order as it ends: at once in gRPC (the answer means done); in NATS, read until it is final or
 * 30 s pass (until the order service has taken it from the stream, it does not know the order).
 */
async function outcome(client: OrderWorkflowClient, orderId: string): Promise<OrderView> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const view = await client.getOrder(orderId).catch((err: unknown) => {
      if (err instanceof NotFoundError && !client.answerMeansComplete && Date.now() < deadline) return undefined;
      throw err;
    });
    if (view && (FINAL.has(view.status) || Date.now() > deadline)) return view;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Where an order's invoice and e-mail are, when the services ran here and wrote them to files. */
function files(dataDir: string | undefined, view: OrderView): string[] {
  if (!dataDir) return [];
  const paths = dataPaths(dataDir);
  const invoice = view.invoiceNumber ? join(paths.invoicesDir, `${view.invoiceNumber}.html`) : undefined;
  // The e-mail's file is named by its Message-ID, <order-ID@domain>, with "@" written as "_".
  const mail = existsSync(paths.outboxDir)
    ? readdirSync(paths.outboxDir).find((f) => f.startsWith(`order-${view.orderId}_`) || f.startsWith(`order-${view.orderId}@`))
    : undefined;
  return [...(invoice && existsSync(invoice) ? [`    invoice: ${invoice}`] : []), ...(mail ? [`    e-mail:  ${join(paths.outboxDir, mail)}`] : [])];
}

interface Target {
  client: OrderWorkflowClient;
  where: string;
  /** The services' data folder, when they were started here. */
  dataDir?: string;
  stop(): Promise<void>;
}

/** The mode's system: the one the environment names, or the three services started here (stopped at the end). */
async function target(mode: Mode, settings: ClientSettings): Promise<Target> {
  const given = process.env[ENTRY_VAR[mode]];
  if (given) {
    const client =
      mode === "grpc"
        ? new GrpcWorkflowClient({ orderServiceAddr: given, tls: settings.tls })
        : await NatsWorkflowClient.connect({
            natsUrl: given,
            credentials: settings.seedFile || settings.tls ? { seedFile: settings.seedFile, tls: settings.tls } : undefined,
          });
    return { client, where: given, stop: () => client.close() };
  }
  const dataDir = resolve(process.env.DATA_DIR ?? `./data/demo-${mode}`);
  const stack = await startStack({ mode, where: "processes", dataDir });
  const client = await stack.connectClient();
  return {
    client,
    where: stack.entry,
    dataDir,
    stop: async () => {
      await client.close();
      await stack.stop();
    },
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { ...CLIENT_FLAGS, mode: { type: "string", default: "grpc" } } });
  if (!(MODES as readonly string[]).includes(values.mode)) throw new Error(`--mode: ${JSON.stringify(values.mode)} must be one of ${MODES.join(", ")}`);
  const mode = values.mode as Mode;
  const t = await target(mode, clientSettings(values, process.env));
  console.log(`${mode} mode at ${t.where}`);
  let completed = 0;
  try {
    for (const order of samples()) {
      try {
        const placement = await t.client.placeOrder(order);
        const view = await outcome(t.client, placement.orderId);
        if (view.status === OrderStatus.ORDER_STATUS_COMPLETED) completed++;
        const detail = view.failureReason ? `: ${view.failureReason}` : "";
        console.log(
          `${view.orderId}: ${OrderStatus[view.status]}${detail}, total ${formatMoney(view.totalMinor, view.currency)}, invoice ${view.invoiceNumber || "none"}, e-mail sent ${view.emailSent}`,
        );
        for (const line of files(t.dataDir, view)) console.log(line);
      } catch (err) {
        console.log(`${order.orderId}: refused: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  } finally {
    await t.stop();
  }
  // The third sample is invalid on purpose; none completing means the system could not be used.
  if (completed === 0) throw new Error(`no sample order completed at ${t.where}`);
}

main().catch((err: unknown) => {
  process.stderr.write(`demo: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
