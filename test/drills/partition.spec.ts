import { expect } from "chai";
import { connect, type JetStreamClient } from "nats";
import { createLogger } from "../../services/common/logger.js";
import { Ledger } from "../../testbed/audit/ledger.js";
import { streamLeaderSeenAt } from "../../testbed/nats-cluster.js";
import { LabNet } from "../../testbed/net/lab-net.js";
import { needsLabNet } from "../support/lab-net.js";
import { startStack } from "../../testbed/stack/start-stack.js";
import { OrderStatus, type Order } from "../../services/gen/shop/v1/order.js";
import { connectNats } from "../../services/nats/connection.js";
import { publishMessage } from "../../services/nats/publisher.js";
import { ROUTES } from "../../services/nats/routes.js";
import { readConsumerStates, readDeadLetters } from "../../services/nats/inspect.js";
import { STREAMS } from "../../services/nats/topology.js";
import { runLoad, type LoadTarget } from "../../testbed/load/load-generator.js";
import type { OrderWorkflowClient } from "../../services/workflow.js";
import { eventually } from "../support/eventually.js";
import { sampleOrder } from "../support/orders.js";

const NODES = ["n1", "n2", "n3"];

type Stack = Awaited<ReturnType<typeof startNatsClusterStack>>;

function startNatsClusterStack(net: LabNet) {
  // The services' own ack wait (30 s) and deliveries (5): a partition shorter than their product burns no message.
  return startStack({ mode: "nats", where: "in-process", cluster: 3, net, log: (name) => createLogger(`nats:${name}`, "warn") });
}

/** What the drill's client saw: each acknowledgement's sequence and time, and what was refused. */
interface Placed {
  acks: Map<string, { seq: number; duplicate: boolean; atMs: number }>;
  acked: Order[];
  refused: Order[];
}

/**
 * Step 1, the load: orders at 50/s through the load generator with at most 20 waiting (a partition
 * stalls publishes for up to their retry budget), published as the client publishes them
 * (publishMessage, the same retries) on a connection of the drill's own, so that each
 * acknowledgement's sequence is kept. Runs until `stop` is aborted.
 */
function placeOrders(js: JetStreamClient, t0: number, stop: AbortSignal): { placed: Placed; done: Promise<unknown> } {
  const placed: Placed = { acks: new Map(), acked: [], refused: [] };
  const byId = new Map<string, Order>();
  const target: LoadTarget = {
    name: "drill-client",
    answerMeansComplete: false,
    async place(order) {
      const ack = await publishMessage(js, ROUTES.orderPlaced, order, { orderId: order.orderId, msgId: order.orderId });
      placed.acks.set(order.orderId, { ...ack, atMs: Date.now() - t0 });
      placed.acked.push(order);
    },
  };
  const done = runLoad(target, {
    rate: 50,
    durationMs: 600_000,
    maxInFlight: 20,
    signal: stop,
    makeOrder: () => {
      const order = sampleOrder();
      byId.set(order.orderId, order);
      return order;
    },
    drainTimeoutMs: 0,
  }).then(async (load) => {
    // Every placement answered, one way or the other.
    await eventually("every placement answered", () => (load.orders.every((o) => o.acceptedAt !== undefined || o.error) ? true : undefined), 120_000);
    placed.refused.push(...load.orders.filter((o) => o.error).map((o) => byId.get(o.orderId)!));
  });
  return { placed, done };
}

/** Waits up to `ms` for `more` acknowledgements; a partition may stall a client on the cut-off side, which is no failure. */
async function someProgress(acked: readonly unknown[], more: number, ms: number): Promise<void> {
  const target = acked.length + more;
  await eventually("orders acknowledged during the partition", () => (acked.length >= target ? true : undefined), ms).catch(() => undefined);
}

/** Which node leads ORDERS, as the first of `nodes` that can say sees it. */
function leaderAmong(stack: Stack, nodes: readonly string[]): Promise<string> {
  return eventually(
    "ORDERS to have a leader",
    async () => {
      for (const n of nodes) {
        const l = await streamLeaderSeenAt(stack.nodes[NODES.indexOf(n)]!.url, STREAMS.orders, 2_000);
        if (l) return l;
      }
      return undefined;
    },
    120_000,
    250,
  );
}

/** The leader the nodes of `among` elect once `cut` is cut off. */
function leaderOtherThan(stack: Stack, cut: string, among: readonly string[]): Promise<string> {
  return eventually(
    `a leader other than ${cut} among ${among.join(", ")}`,
    async () => {
      const l = await leaderAmong(stack, among);
      return l !== cut ? l : undefined;
    },
    120_000,
    250,
  );
}

/** Step 2: the ORDERS leader cut from its peers until the others elect one; returns the new leader. */
async function cutLeaderFromPeers(stack: Stack, net: LabNet, placed: Placed, mark: (what: string) => void): Promise<{ first: string; second: string }> {
  const first = await leaderAmong(stack, NODES);
  const peers = NODES.filter((n) => n !== first);
  net.cut(first, peers);
  mark(`${first} cut from its peers`);
  const second = await leaderOtherThan(stack, first, peers);
  await someProgress(placed.acked, 20, 15_000);
  net.heal();
  mark("healed");
  await leaderAmong(stack, NODES);
  return { first, second };
}

/** Step 3: a node cut from everyone, the services and the client included, until the rest elect a leader. */
async function isolateNode(stack: Stack, net: LabNet, node: string, placed: Placed, mark: (what: string) => void): Promise<void> {
  net.isolate(node);
  mark(`${node} cut from everyone`);
  await leaderOtherThan(
    stack,
    node,
    NODES.filter((n) => n !== node),
  );
  await someProgress(placed.acked, 20, 30_000);
  net.heal();
  mark("healed");
}

/** When an order did not complete: what became of each, and what the broker holds. */
async function explainStuck(stack: Stack, client: OrderWorkflowClient, ledger: Ledger, all: Order[], placed: Placed, events: string[]): Promise<void> {
  const stuck = all.filter((o) => ledger.snapshot().orders.get(o.orderId) !== OrderStatus.ORDER_STATUS_COMPLETED);
  console.log(`      ${events.join("; ")}`);
  for (const o of stuck)
    console.log(
      `      not completed: ${o.orderId} (ack ${JSON.stringify(placed.acks.get(o.orderId) ?? "refused, re-sent")}): ${JSON.stringify(await client.getOrder(o.orderId).catch((e: unknown) => String(e)))}`,
    );
  const admin = await connect({ servers: stack.entry.split(",") });
  try {
    const jsm = await admin.jetstreamManager();
    console.log(`      dead letters: ${JSON.stringify(await readDeadLetters(jsm))}`);
    console.log(`      consumers: ${JSON.stringify(await readConsumerStates(jsm))}`);
    console.log(`      ORDERS: ${JSON.stringify((await jsm.streams.info(STREAMS.orders)).state)}`);
  } finally {
    await admin.close();
  }
  const seqs = [...placed.acks.values()].map((a) => a.seq);
  console.log(`      acknowledged sequences: ${seqs.length}, distinct ${new Set(seqs).size}, highest ${Math.max(...seqs)}`);
  console.log(`      not completed in all: ${stuck.length}`);
}

/** Step 4, the audit: what was refused re-sent with the same id, then every order completed, invoiced once and mailed once. */
async function everyOrderDoneOnce(stack: Stack, client: OrderWorkflowClient, placed: Placed, events: string[]): Promise<void> {
  for (const order of placed.refused) await eventually(`re-sent ${order.orderId} to be taken`, () => client.placeOrder(order).then(() => true), 180_000, 250);
  const all = [...placed.acked, ...placed.refused];
  const ledger = new Ledger(stack.dataDir);
  try {
    const done = await eventually(
      "every order to complete",
      () => {
        const orders = ledger.snapshot().orders;
        return all.every((o) => orders.get(o.orderId) === OrderStatus.ORDER_STATUS_COMPLETED) ? true : undefined;
      },
      180_000,
      500,
    ).catch((err: unknown) => err as Error);
    if (done instanceof Error) {
      await explainStuck(stack, client, ledger, all, placed, events);
      throw done;
    }
    const snap = ledger.snapshot();
    console.log(`      ${placed.acked.length} acknowledged and ${placed.refused.length} refused then re-sent, over two partitions`);
    for (const order of all) {
      expect(snap.invoices.get(order.orderId), `invoices of ${order.orderId}`).to.equal(1);
      expect(snap.emails.get(order.orderId)?.rows, `e-mails of ${order.orderId}`).to.equal(1);
    }
  } finally {
    ledger.close();
  }
}

// Root only (skipped otherwise, saying why). It found acknowledgements that confirmed nothing (a
// "duplicate" of sequence 0 after a leader change; see isUnconfirmedDuplicate), which is why each
// acknowledgement's sequence is kept. Each nats-server node on its own host (a network namespace on
// the lab's bridge), streams with 3 replicas, the three services and a client on the main host
// placing orders throughout. Two partitions: the ORDERS leader cut from its peers, then the new
// leader cut from everyone (the services and the client included). Each lasts until the others
// have elected a new leader.
describe("partitions of a 3-node JetStream cluster, each node on its own host", function () {
  this.timeout(300_000);
  let net: LabNet | undefined;

  before(function () {
    needsLabNet(this);
  });

  after(() => net?.close());

  it("the ORDERS leader cut from its peers, then a leader cut from everyone: nothing acknowledged is lost or done twice", async () => {
    net = LabNet.create(NODES);
    await using stack = await startNatsClusterStack(net);
    const client = await stack.connectClient();
    const nc = await connectNats(stack.entry, "drill-client", createLogger("drill-client", "warn"));
    // Closed however the test ends, before the stack: a client left reconnecting keeps mocha alive.
    await using _client = {
      [Symbol.asyncDispose]: async () => {
        await client.close();
        await nc.close();
      },
    };
    const t0 = Date.now();
    const events: string[] = [];
    const mark = (what: string) => events.push(`${Date.now() - t0} ms: ${what}`);
    const stop = new AbortController();
    const { placed, done } = placeOrders(nc.jetstream(), t0, stop.signal);
    try {
      await eventually("orders acknowledged before the first partition", () => (placed.acked.length >= 50 ? true : undefined), 60_000);
      const { first, second } = await cutLeaderFromPeers(stack, net, placed, mark);
      await isolateNode(stack, net, second, placed, mark);
      console.log(`      ORDERS led by ${first}, cut from its peers: ${second} took over; ${second} cut from everyone`);
    } finally {
      stop.abort();
      await done;
    }
    await everyOrderDoneOnce(stack, client, placed, events);
  });
});
