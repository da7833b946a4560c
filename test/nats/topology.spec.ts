import { startStack } from "../../testbed/stack/start-stack.js";
import { expect } from "chai";
import { connect } from "nats";
import { ConfigError } from "../../services/common/config-error.js";
import { natsConfig } from "../../services/common/config.js";
import { CONSUMERS, STREAMS, ensureConsumer, ensureStreams } from "../../services/nats/topology.js";
import { usePrivateNats } from "../support/private-nats.js";

const SETTINGS = { duplicateWindowMs: 60_000, ackWaitMs: 10_000, maxDeliver: 3, maxAckPending: 16 };

describe("NATS provisioning", function () {
  this.timeout(60_000);
  const nats = usePrivateNats("topo");

  it("creates every stream and can run again, concurrently, without changing them", async () => {
    const jsm = await nats.nc.jetstreamManager();
    await Promise.all([ensureStreams(jsm, SETTINGS), ensureStreams(jsm, SETTINGS), ensureStreams(jsm, SETTINGS)]);
    const before = await jsm.streams.info(STREAMS.orders);
    await ensureStreams(jsm, SETTINGS);
    const names = (await jsm.streams.names().next()).sort();
    expect(names).to.deep.equal(Object.values(STREAMS).sort());
    expect((await jsm.streams.info(STREAMS.orders)).created).to.equal(before.created);
    expect(before.config.duplicate_window).to.equal(60_000 * 1e6);
  });

  it("creates a durable pull consumer with explicit ack and updates its concurrency limit in place", async () => {
    const jsm = await nats.nc.jetstreamManager();
    await ensureStreams(jsm, SETTINGS);
    await Promise.all([ensureConsumer(jsm, CONSUMERS.invoicer, SETTINGS), ensureConsumer(jsm, CONSUMERS.invoicer, SETTINGS)]);
    let info = await jsm.consumers.info(STREAMS.billing, CONSUMERS.invoicer.durable);
    expect(info.config).to.include({ durable_name: "billing-invoicer", ack_policy: "explicit", max_ack_pending: 16, max_deliver: 4 });
    expect(info.config.deliver_subject).to.equal(undefined);
    await ensureConsumer(jsm, CONSUMERS.invoicer, { ...SETTINGS, maxAckPending: 4 });
    info = await jsm.consumers.info(STREAMS.billing, CONSUMERS.invoicer.durable);
    expect(info.config.max_ack_pending).to.equal(4);
  });
});

describe("NATS service configuration and discovery", function () {
  this.timeout(60_000);

  it("needs only NATS_URL, and names it when it is missing", () => {
    expect(() => natsConfig("order", {}, {})).to.throw(ConfigError, /NATS_URL is not set/);
    expect(() => natsConfig("order", {}, { NATS_URL: "http://x" })).to.throw(ConfigError, /NATS_URL: "http:\/\/x"/);
    expect(natsConfig("billing", {}, { NATS_URL: "nats://127.0.0.1:4222,nats://127.0.0.1:4223" }).natsUrl).to.include(",");
  });

  it("registers orders.get as a NATS service that $SRV discovery finds", async () => {
    const stack = await startStack({ mode: "nats", where: "in-process" });
    const nc = await connect({ servers: stack.server.url });
    try {
      const found = [];
      for await (const info of await nc.services.client().info("order-service")) found.push(info);
      expect(found).to.have.length(1);
      expect(found[0]!.name).to.equal("order-service");
      expect(found[0]!.endpoints.map((e) => e.subject)).to.deep.equal(["orders.get"]);
    } finally {
      await nc.close();
      await stack.close();
    }
  });
});
