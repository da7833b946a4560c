import { expect } from "chai";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect, type NatsError, type PubAck } from "nats";
import { startNatsCluster } from "../../testbed/nats-cluster.js";
import { versionAtLeast } from "../../testbed/nats-server.js";
import { DUPLICATE_IN_PROCESS, publishMessage } from "../../services/nats/publisher.js";
import { ROUTES } from "../../services/nats/routes.js";
import { STREAMS, ensureStreams } from "../../services/nats/topology.js";
import { sampleOrder } from "../support/orders.js";

/** How a server answered one of several publishes of one message id at once. */
type RawAnswer = "stored" | "duplicate" | "unconfirmed" | "racing" | "other";

function answerOf(r: PromiseSettledResult<PubAck>): RawAnswer {
  if (r.status === "fulfilled") return r.value.duplicate ? (r.value.seq === 0 ? "unconfirmed" : "duplicate") : "stored";
  return (r.reason as NatsError).api_error?.err_code === DUPLICATE_IN_PROCESS ? "racing" : "other";
}

/**
 * Several publishes of one message id into a replicated stream at once. nats-server 2.10 answers a
 * publish whose id is still being replicated as a "duplicate" of sequence 0, which confirms nothing:
 * after a leader change the first copy may never be stored (the partition drill lost orders so).
 * 2.11+ refuses it with error 10158, "duplicate message id is in process", instead. Either way the
 * publisher publishes again until the stream names the stored sequence.
 */
describe("publishing into a replicated stream: only an ack with a sequence confirms", function () {
  this.timeout(120_000);

  it("five publishes of one order at once each resolve with the one stored sequence, whichever answer the server gives", async () => {
    const dir = await mkdtemp(join(tmpdir(), "gvn-dup-"));
    const cluster = await startNatsCluster({ dir, size: 3 });
    const nc = await connect({ servers: cluster.url.split(","), maxReconnectAttempts: -1 });
    try {
      const version = cluster.nodes[0]!.version.replace(/^v/, "");
      const jsm = await nc.jetstreamManager();
      await ensureStreams(jsm, { duplicateWindowMs: 120_000, streamReplicas: 3 }, 60_000);
      const js = nc.jetstream();

      // Raw, as the server answers: 2.10 says "duplicate of 0" to many such publishes (seen: 197 of 250), 2.11+ refuses them with 10158.
      const raw: RawAnswer[] = [];
      for (let probe = 0; probe < 20; probe++)
        raw.push(
          ...(
            await Promise.allSettled(Array.from({ length: 5 }, () => js.publish(ROUTES.orderPlaced.subject, new Uint8Array(1), { msgID: `probe-${probe}` })))
          ).map(answerOf),
        );
      const count = (a: RawAnswer) => raw.filter((x) => x === a).length;
      console.log(
        `      raw, nats-server ${version}: of ${raw.length}, ${count("stored")} stored, ${count("duplicate")} duplicates with a sequence, ` +
          `${count("unconfirmed")} "duplicate of 0", ${count("racing")} refused with 10158`,
      );
      expect(count("other"), "answers that are neither an ack nor 10158").to.equal(0);
      expect(count("stored"), "each probe id stored once").to.equal(20);
      if (versionAtLeast(version, "2.11.0")) expect(count("unconfirmed"), `nats-server ${version} answered "duplicate of sequence 0"`).to.equal(0);
      else expect(count("racing"), `nats-server ${version} refused with 10158, which it should not know`).to.equal(0);

      for (let round = 0; round < 10; round++) {
        const order = sampleOrder();
        const acks = await Promise.all(
          Array.from({ length: 5 }, () => publishMessage(js, ROUTES.orderPlaced, order, { orderId: order.orderId, msgId: order.orderId })),
        );
        const seqs = new Set(acks.map((a) => a.seq));
        expect([...seqs], `the sequences the publishes of ${order.orderId} were given`).to.have.lengthOf(1);
        expect(acks[0]!.seq).to.be.greaterThan(0);
      }
      expect((await jsm.streams.info(STREAMS.orders)).state.messages).to.equal(30);
    } finally {
      await nc.close();
      await cluster.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
