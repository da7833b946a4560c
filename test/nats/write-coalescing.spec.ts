import { expect } from "chai";
import { connect, type NatsConnection } from "nats";
import { coalesceWrites } from "../../services/nats/write-coalescing.js";
import { eventually } from "../support/eventually.js";
import { usePrivateNats } from "../support/private-nats.js";

/** Counts the socket writes of a connection (its transport's send calls). */
function countWrites(nc: NatsConnection): { readonly count: number } {
  const transport = (nc as unknown as { protocol: { transport: { send(frame: Uint8Array): void } } }).protocol.transport;
  const send = transport.send.bind(transport);
  const counter = { count: 0 };
  transport.send = (frame) => {
    counter.count++;
    send(frame);
  };
  return counter;
}

describe("NATS write coalescing", function () {
  this.timeout(30_000);
  // Its connection receives what the connections under test send.
  const nats = usePrivateNats("coalesce");

  /** Publishes `n` messages, each from its own microtask, and returns what arrived and how many writes it took. */
  async function publishFromMicrotasks(nc: NatsConnection, subject: string, n: number): Promise<{ got: number[]; writes: number }> {
    const got: number[] = [];
    const sub = nats.nc.subscribe(subject, { callback: (_err, msg) => got.push(msg.data[0]!) });
    await nats.nc.flush();
    const writes = countWrites(nc);
    // Like a consumer's `for await` loop, which hands over each message in a microtask of its own.
    for (let i = 0; i < n; i++) {
      nc.publish(subject, Uint8Array.of(i));
      await Promise.resolve();
    }
    await eventually(`${n} messages received`, () => (got.length === n ? true : undefined));
    sub.unsubscribe();
    return { got, writes: writes.count };
  }

  it("sends the commands queued in one event-loop turn in one write, in order, without waiting for an explicit flush", async () => {
    const nc = await connect({ servers: nats.server.url });
    try {
      expect(coalesceWrites(nc)).to.equal(true);
      const { got, writes } = await publishFromMicrotasks(nc, "coalesce.on", 50);
      expect(got).to.deep.equal(Array.from({ length: 50 }, (_, i) => i));
      expect(writes).to.equal(1);
      // A lone command leaves too, with nothing else to push it out.
      const lone = await publishFromMicrotasks(nc, "coalesce.lone", 1);
      expect(lone.got).to.deep.equal([0]);
    } finally {
      await nc.close();
    }
  });

  it("is needed: nats.js alone writes once per microtask", async () => {
    const nc = await connect({ servers: nats.server.url });
    try {
      const { writes } = await publishFromMicrotasks(nc, "coalesce.off", 50);
      expect(writes).to.equal(50);
    } finally {
      await nc.close();
    }
  });

  it("writes at once when the buffer reaches the client's limit", async () => {
    const nc = await connect({ servers: nats.server.url });
    try {
      coalesceWrites(nc);
      const got: number[] = [];
      const sub = nats.nc.subscribe("coalesce.big", { callback: (_err, msg) => got.push(msg.data.length) });
      await nats.nc.flush();
      const writes = countWrites(nc);
      // 40 × 64 KiB is far above the client's 32 KiB threshold: several writes inside this one synchronous block.
      for (let i = 0; i < 40; i++) nc.publish("coalesce.big", new Uint8Array(64 * 1024));
      expect(writes.count).to.be.greaterThan(1);
      await eventually("40 large messages received", () => (got.length === 40 ? true : undefined));
      sub.unsubscribe();
    } finally {
      await nc.close();
    }
  });

  it("leaves a connection whose client internals it does not know as it was", () => {
    expect(coalesceWrites({} as NatsConnection)).to.equal(false);
  });
});
