import { expect } from "chai";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { StorageType, connect, type NatsConnection, type NatsError } from "nats";
import { startNatsCluster, type ManagedNatsCluster } from "../../testbed/nats-cluster.js";
import { ConfigError } from "../../services/common/config-error.js";
import { STREAMS, ensureStreams, jetStreamManagerWhenReady, provisionAll } from "../../services/nats/topology.js";
import { eventually } from "../support/eventually.js";

/**
 * A stream placement refused while a cluster's peers are still joining is
 * retried; only a replica count that can never be placed stops a service.
 */
describe("stream placement while a NATS cluster forms", function () {
  this.timeout(120_000);
  let dir = "";
  let cluster: ManagedNatsCluster;
  let nc: NatsConnection;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "gvn-forming-"));
    cluster = await startNatsCluster({ dir, size: 3 });
    nc = await connect({ servers: cluster.url.split(","), maxReconnectAttempts: -1, reconnectTimeWait: 100 });
  });
  afterEach(async () => {
    await nc?.close();
    await cluster?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("places streams with 3 replicas while a peer is away: at once where the server allows it, else once it is back, never failing at a refusal", async () => {
    const jsm = await nc.jetstreamManager({ checkAPI: false });
    const third = cluster.nodes[2]!;
    await third.stop();
    // The two left elect a meta leader (if the third was it) and answer again. nats-server 2.10 soon
    // refuses 3 replicas while a peer is away (10005); 2.15 places them, one replica offline.
    await cluster.waitForMetaLeader();
    const answer = await eventually(
      "the cluster to refuse 3 replicas, or to place them with one offline, while a peer is away",
      async () => {
        try {
          const info = await jsm.streams.add({ name: "PLACEMENT_PROBE", subjects: ["placement.probe"], num_replicas: 3, storage: StorageType.File });
          await jsm.streams.delete("PLACEMENT_PROBE");
          return info.cluster?.replicas?.some((r) => r.offline) ? ("placed with one offline" as const) : undefined;
        } catch (err) {
          return (err as NatsError).api_error?.err_code === 10005 ? ("refused" as const) : undefined;
        }
      },
      60_000,
      250,
    );
    console.log(`      nats-server ${third.version}, a peer away: 3 replicas ${answer}`);
    let placedAt = 0;
    const placing = ensureStreams(jsm, { duplicateWindowMs: 60_000, streamReplicas: 3 }, 60_000).then(() => (placedAt = Date.now()));
    if (answer === "refused") {
      // While the peer is away the placement is refused; it is retried, not given up.
      await new Promise((r) => setTimeout(r, 1_500));
      expect(placedAt, "placed before the third peer came back").to.equal(0);
      const back = Date.now();
      await third.start();
      await placing;
      expect(placedAt).to.be.at.least(back);
    } else {
      await placing;
      await third.start();
    }
    const info = await jsm.streams.info(STREAMS.orders);
    expect(info.config.num_replicas).to.equal(3);
    // Either way the third peer holds its replica once it is back.
    await eventually(
      "every replica of ORDERS current",
      async () => {
        const c = (await jsm.streams.info(STREAMS.orders)).cluster;
        return c?.replicas?.length === 2 && c.replicas.every((r) => r.current && !r.offline) ? true : undefined;
      },
      60_000,
      250,
    );
  });

  it("provisions once the cluster has a meta leader again, waiting while a majority is away, and says why it waited past its deadline", async () => {
    const [first, second, third] = cluster.nodes;
    await Promise.all([second!.stop(), third!.stop()]);
    // One node of three has no meta leader: JetStream requests time out until a peer is back. A node
    // that led the meta group steps down only once it notices it lost its quorum (seconds on 2.10).
    await eventually("the remaining node to have no meta leader", async () => {
      const jsz = (await fetch(`${first!.monitorUrl}/jsz`).then((r) => r.json())) as { meta_cluster?: { leader?: string } };
      return jsz.meta_cluster?.leader ? undefined : true;
    });
    const refused = await jetStreamManagerWhenReady(nc, 3_000).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(refused?.message).to.match(/^JetStream at .* did not answer within 3 s \(.*\); a cluster answers once a majority of its nodes are up/);
    const provisioning = jetStreamManagerWhenReady(nc, 60_000).then((jsm) =>
      provisionAll(jsm, { duplicateWindowMs: 60_000, streamReplicas: 3, ackWaitMs: 30_000, maxDeliver: 5, maxAckPending: 1_000 }),
    );
    await Promise.all([second!.start(), third!.start()]);
    await provisioning;
    const info = await (await nc.jetstreamManager()).streams.info(STREAMS.orders);
    expect(info.config.num_replicas).to.equal(3);
  });

  it("stops, naming NATS_STREAM_REPLICAS, when the count can never be placed", async () => {
    const jsm = await nc.jetstreamManager();
    const err = await ensureStreams(jsm, { duplicateWindowMs: 60_000, streamReplicas: 5 }, 2_000).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(ConfigError);
    expect((err as Error).message).to.match(/^NATS_STREAM_REPLICAS=5: the server refused stream ORDERS: .* \(error \d+\)$/);
  });
});
