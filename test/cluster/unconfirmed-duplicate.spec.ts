import { expect } from "chai";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "nats";
import { startNatsCluster } from "../../scripts/lib/nats-cluster.js";
import { publishMessage } from "../../services/nats/publisher.js";
import { ROUTES } from "../../services/nats/routes.js";
import { STREAMS, ensureStreams } from "../../services/nats/topology.js";
import { sampleOrder } from "../support/orders.js";

/**
 * A replicated stream of nats-server 2.10 answers a publish whose message id is still being
 * replicated as a "duplicate" of sequence 0, which confirms nothing: after a leader change the
 * first copy may never be stored (the partition drill lost orders so). The publisher waits for an
 * answer that names the stored sequence.
 */
describe("publishing into a replicated stream: only an ack with a sequence confirms", function () {
  this.timeout(120_000);

  it("five publishes of one order at once each resolve with the one stored sequence, never with sequence 0", async () => {
    const dir = await mkdtemp(join(tmpdir(), "gvn-dup-"));
    const cluster = await startNatsCluster({ dir, size: 3 });
    const nc = await connect({ servers: cluster.url.split(","), maxReconnectAttempts: -1 });
    try {
      const jsm = await nc.jetstreamManager();
      await ensureStreams(jsm, { duplicateWindowMs: 120_000, streamReplicas: 3 }, 60_000);
      const js = nc.jetstream();
      // Raw, the server answers most of such publishes with { duplicate: true, seq: 0 } (seen: 197 of 250).
      const raw = await Promise.all(Array.from({ length: 5 }, () => js.publish(ROUTES.orderPlaced.subject, new Uint8Array(1), { msgID: "probe" })));
      console.log(`      raw, nats-server ${cluster.nodes[0]!.version} answered ${raw.filter((a) => a.duplicate && a.seq === 0).length} of 5 so`);

      for (let round = 0; round < 10; round++) {
        const order = sampleOrder();
        const acks = await Promise.all(
          Array.from({ length: 5 }, () => publishMessage(js, ROUTES.orderPlaced, order, { orderId: order.orderId, msgId: order.orderId })),
        );
        const seqs = new Set(acks.map((a) => a.seq));
        expect([...seqs], `the sequences the publishes of ${order.orderId} were given`).to.have.lengthOf(1);
        expect(acks[0]!.seq).to.be.greaterThan(0);
      }
      expect((await jsm.streams.info(STREAMS.orders)).state.messages).to.equal(11);
    } finally {
      await nc.close();
      await cluster.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
