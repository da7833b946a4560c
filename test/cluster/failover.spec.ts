import { expect } from "chai";
import { connect, type NatsConnection } from "nats";
import type { NatsInProcessStack } from "../../testbed/stack/nats-in-process.js";
import { startStack } from "../../testbed/stack/start-stack.js";
import { Ledger } from "../../testbed/audit/ledger.js";
import { createLogger } from "../../services/common/logger.js";
import { OrderStatus } from "../../services/gen/shop/v1/order.js";
import { readConsumerStates, readDeadLetters } from "../../services/nats/inspect.js";
import { STREAMS } from "../../services/nats/topology.js";
import { NatsWorkflowClient } from "../../services/nats/workflow-client.js";
import { runLoad, type LoadTarget } from "../../testbed/load/load-generator.js";
import { Timeline } from "../../testbed/timeline.js";
import { eventually } from "../support/eventually.js";
import { sampleOrder } from "../support/orders.js";
import { orderReaches } from "../support/order-status.js";

/** Which node to kill, by name ("n1"…): the leader of the ORDERS stream, or JetStream's meta leader. */
type Victim = (stack: NatsInProcessStack, nc: NatsConnection) => Promise<string>;

const ordersLeader: Victim = async (_stack, nc) => (await (await nc.jetstreamManager()).streams.info(STREAMS.orders)).cluster!.leader!;

const metaLeader: Victim = async (stack) => {
  for (const node of stack.nodes) {
    const jsz = (await fetch(`${node.monitorUrl}/jsz`).then((r) => r.json())) as { meta_cluster?: { leader?: string } };
    if (jsz.meta_cluster?.leader) return jsz.meta_cluster.leader;
  }
  throw new Error("no server names a meta leader");
};

/**
 * A 3-node JetStream cluster with every stream replicated three times, the
 * three services on it, and the load generator placing orders at a steady rate
 * while a server is SIGKILLed and restarted two seconds later (the timeline). Every accepted order
 * must complete with one invoice and one e-mail, nothing may be dead-lettered,
 * and the restarted server must catch up.
 */
async function drill(victim: Victim, replicas = 3): Promise<void> {
  const stack = await startStack({
    mode: "nats",
    where: "in-process",
    cluster: 3,
    env: { NATS_STREAM_REPLICAS: String(replicas), NATS_ACK_WAIT_MS: "5000", SHUTDOWN_GRACE_MS: "2000" },
    log: (name) => createLogger(`nats:${name}`, "warn"),
  });
  let client: NatsWorkflowClient | undefined;
  let watcher: NatsConnection | undefined;
  try {
    client = await NatsWorkflowClient.connect({ natsUrl: stack.entry, requestTimeoutMs: 2_000 });
    watcher = await connect({ servers: stack.entry.split(","), maxReconnectAttempts: -1, reconnectTimeWait: 250 });

    // 240 orders at 40/s; the victim killed 1.5 s in (about 60 placed) and started again 2 s later.
    const target: LoadTarget = { name: "nats", answerMeansComplete: false, place: (order) => client!.placeOrder(order).then(() => undefined) };
    const timeline = new Timeline();
    let node = "";
    timeline.window({
      atMs: 1_500,
      forMs: 2_000,
      label: "victim killed",
      endLabel: "victim restarted",
      async apply() {
        node = await victim(stack, watcher!);
        await stack.control.stop(node, "SIGKILL");
      },
      undo: () => stack.control.start(node),
    });
    const load = await runLoad(target, {
      rate: 40,
      count: 240,
      makeOrder: () => sampleOrder(),
      startAt: timeline.t0,
      onElapsed: (t) => timeline.tick(t),
      // Nothing watches completions here: the orders are read back below.
      drainTimeoutMs: 0,
    });
    await timeline.finish();
    const outcomes = load.orders;
    await eventually("every placement answered", () => (outcomes.every((o) => o.acceptedAt !== undefined || o.error) ? true : undefined), 60_000);
    expect(
      outcomes.filter((o) => o.error).map((o) => `${o.orderId}: ${o.error}`),
      "placements that failed to the client",
    ).to.deep.equal([]);
    const accepted = outcomes.map((o) => o.orderId);

    for (const id of accepted)
      await orderReaches(client, id, OrderStatus.ORDER_STATUS_COMPLETED, 60_000).catch(async (err: unknown) => {
        // What the broker holds for the services, to tell a stuck consumer from lost work.
        console.log(`      consumers: ${JSON.stringify(await readConsumerStates(await watcher!.jetstreamManager()))}`);
        throw err;
      });
    const ledger = new Ledger(stack.dataDir);
    try {
      const snap = ledger.snapshot();
      for (const id of accepted) {
        expect(snap.invoices.get(id), `invoices of ${id}`).to.equal(1);
        expect(snap.emails.get(id)?.rows, `e-mails of ${id}`).to.equal(1);
      }
    } finally {
      ledger.close();
    }
    const jsm = await watcher.jetstreamManager();
    expect(await readDeadLetters(jsm), "dead letters").to.deep.equal([]);
    // The restarted server caught up: every replica of every work stream is current again.
    await eventually(
      "every replica current",
      async () => {
        for (const stream of [STREAMS.orders, STREAMS.billing, STREAMS.notification, STREAMS.events]) {
          const info = await jsm.streams.info(stream);
          if (!info.cluster?.leader) return undefined;
          const followers = info.cluster.replicas ?? [];
          if (followers.length !== replicas - 1 || !followers.every((r) => r.current)) return undefined;
        }
        return true;
      },
      60_000,
    );
  } finally {
    await client?.close();
    await watcher?.close();
    await stack.close();
  }
}

describe("NATS cluster failover (3 nodes, streams with 3 replicas)", function () {
  this.timeout(240_000);

  it("SIGKILL of the server that leads ORDERS under load, restarted: nothing lost or duplicated, all complete, the server catches up", () =>
    drill(ordersLeader));

  it("SIGKILL of JetStream's meta leader under load, restarted: nothing lost or duplicated, all complete, the server catches up", () => drill(metaLeader));

  // With one replica the stream lives on one server only: while it is down, publishes to it wait
  // (retried within NATS_PUBLISH_RETRY_MS) and its consumers have nothing to take; once it is back,
  // the services carry on by themselves and every accepted order completes.
  it("streams with one replica: SIGKILL of the server that holds ORDERS, restarted: the services recover by themselves, all complete", () =>
    drill(ordersLeader, 1));
});
