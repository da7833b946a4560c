import { expect } from "chai";
import { connect } from "nats";
import { existsSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { NatsInProcessStack } from "../../testbed/stack/nats-in-process.js";
import { startStack } from "../../testbed/stack/start-stack.js";
import { Ledger } from "../../testbed/audit/ledger.js";
import { OrderStatus } from "../../services/gen/shop/v1/order.js";
import { STREAMS } from "../../services/nats/topology.js";
import type { OrderWorkflowClient } from "../../services/workflow.js";
import { orderReaches } from "../support/order-status.js";
import { sampleOrder } from "../support/orders.js";
import { testCertificates } from "../support/certs.js";
import { credentialOptions } from "../../services/nats/connection.js";

const WORK_STREAMS = [STREAMS.orders, STREAMS.billing, STREAMS.notification, STREAMS.events];

/** Where a stream keeps its message blocks: under its account's directory (the secure profile's account is not $G). */
function streamMessagesDir(storeDir: string, stream: string): string {
  const root = join(storeDir, "jetstream");
  const account = readdirSync(root).find((a) => existsSync(join(root, a, "streams", stream)));
  if (!account) throw new Error(`no directory for stream ${stream} under ${root}`);
  return join(root, account, "streams", stream, "msgs");
}

async function placeAndComplete(client: OrderWorkflowClient, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const order = sampleOrder();
    await client.placeOrder(order);
    ids.push(order.orderId);
  }
  for (const id of ids) await orderReaches(client, id, OrderStatus.ORDER_STATUS_COMPLETED, 30_000);
  return ids;
}

/**
 * What a nats-server 2.10 killed while a work queue's last block empties leaves on disk (nats-server
 * #6600, #6881): the consumers' state, and no message block, so the streams start again from sequence
 * 0 under consumers that believe those sequences done. Made here on purpose: the server is stopped,
 * the work streams' message files removed, and the server started again.
 */
for (const secure of [false, true])
  describe(`work a stream holds below its consumer's ack floor (a stream whose sequence went back)${secure ? ", services with least privilege" : ""}`, function () {
    this.timeout(120_000);
    let stack: NatsInProcessStack;

    before(async () => {
      stack = await startStack({ mode: "nats", where: "in-process", secure: secure ? testCertificates() : undefined, env: { NATS_STRANDED_CHECK_MS: "500" } });
    });
    after(() => stack?.close());

    it("is queued again by the services: orders placed after the reset complete, each billed and mailed once", async () => {
      const client = await stack.connectClient();
      try {
        const before = await placeAndComplete(client, 5);

        await stack.server.stop();
        for (const stream of WORK_STREAMS) {
          const msgs = streamMessagesDir(stack.server.storeDir, stream);
          for (const file of readdirSync(msgs)) rmSync(join(msgs, file));
        }
        await stack.server.start();

        // The premise: every work stream starts again from sequence 0, under consumers that delivered 5 or more.
        const nc = await connect({ servers: stack.server.url, ...credentialOptions(stack.identity("admin")?.nats()) });
        try {
          const jsm = await nc.jetstreamManager();
          for (const stream of WORK_STREAMS) expect((await jsm.streams.info(stream)).state.last_seq, `${stream}'s last sequence`).to.equal(0);
        } finally {
          await nc.close();
        }
        const after = await placeAndComplete(client, 5);

        const ledger = new Ledger(stack.dataDir);
        try {
          const snap = ledger.snapshot();
          for (const id of [...before, ...after]) {
            expect(snap.invoices.get(id), `invoices of ${id}`).to.equal(1);
            expect(snap.emails.get(id)?.rows, `e-mails of ${id}`).to.equal(1);
          }
        } finally {
          ledger.close();
        }
      } finally {
        await client.close();
      }
    });
  });
