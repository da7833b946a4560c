import { expect } from "chai";
import { createLogger } from "../../services/common/logger.js";
import { DEFAULT_RETRY_POLICY } from "../../services/nats/retry-policy.js";
import { CONSUMERS, STREAMS, ensureConsumer, ensureStreams } from "../../services/nats/topology.js";
import { startWorkConsumer } from "../../services/nats/work-consumer.js";
import { eventually } from "../support/eventually.js";
import { usePrivateNats } from "../support/private-nats.js";

const LIMIT = 4;

/** Lets the event loop run `n` times (timers, I/O and promise jobs included). */
async function turns(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
}
const SETTINGS = { duplicateWindowMs: 60_000, ackWaitMs: 30_000, maxDeliver: 3, maxAckPending: LIMIT };

describe("NATS work consumer", function () {
  this.timeout(60_000);
  const nats = usePrivateNats("consumer");

  before(async () => {
    const jsm = await nats.nc.jetstreamManager();
    await ensureStreams(jsm, SETTINGS);
    await ensureConsumer(jsm, CONSUMERS.invoicer, SETTINGS);
  });

  it("runs handlers concurrently up to max_ack_pending, keeps the rest in the stream, and on stop finishes those in flight", async () => {
    const js = nats.nc.jetstream();
    for (let i = 0; i < 10; i++) await js.publish("billing.invoice.requested", Uint8Array.of(i));
    const started: number[] = [];
    const releases: Array<() => void> = [];
    const consumer = await startWorkConsumer({
      js,
      consumer: CONSUMERS.invoicer,
      concurrency: LIMIT,
      retry: { ...DEFAULT_RETRY_POLICY, maxDeliver: SETTINGS.maxDeliver },
      log: createLogger("test", "error"),
      handle: (msg) =>
        new Promise<void>((resolve) => {
          started.push(msg.data[0]!);
          releases.push(resolve);
        }),
    });
    const jsm = await nats.nc.jetstreamManager();
    await eventually(`${LIMIT} handlers running`, () => (started.length === LIMIT ? true : undefined));
    const info = await jsm.consumers.info(STREAMS.billing, CONSUMERS.invoicer.durable);
    expect(info.num_ack_pending).to.equal(LIMIT);
    expect(info.num_pending).to.equal(10 - LIMIT);
    expect(consumer.inFlight).to.equal(LIMIT);

    let stopped = false;
    const stopping = consumer.stop().then(() => (stopped = true));
    // Give a stop() that does not wait every chance to finish: the intake loop ends within a few
    // turns of the event loop. Then release the handlers one by one: stop() may only resolve after the last.
    await turns(50);
    for (const release of releases.splice(0)) {
      expect(stopped, "stop() resolved while a handler was still running").to.equal(false);
      release();
      await turns(5);
    }
    await stopping;
    await eventually("the finished messages to be acknowledged", async () => {
      const after = await jsm.consumers.info(STREAMS.billing, CONSUMERS.invoicer.durable);
      return after.ack_floor.stream_seq >= LIMIT ? after : undefined;
    });
    // What was never started stays in the stream for the next consumer.
    expect((await jsm.streams.info(STREAMS.billing)).state.messages).to.equal(10 - LIMIT);
    expect(started).to.have.length(LIMIT);
  });
});
