import type { NatsInProcessStack } from "../../testbed/stack/nats-in-process.js";
import { startStack } from "../../testbed/stack/start-stack.js";
import { expect } from "chai";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { AckPolicy, connect, Events, nkeyAuthenticator, type NatsConnection } from "nats";
import { ensureNatsServer, natsServerVersion, versionAtLeast } from "../../testbed/nats-server.js";
import { createUser } from "nkeys.js";
import { ConfigError } from "../../services/common/config-error.js";
import { natsConfig } from "../../services/common/config.js";
import { createLogger } from "../../services/common/logger.js";
import { credentialOptions } from "../../services/nats/connection.js";
import type { NatsIdentity } from "../../services/nats/permissions.js";
import { startNatsService } from "../../services/nats/start-service.js";
import { CONSUMERS, STREAMS, SUBJECTS } from "../../services/nats/topology.js";
import { NatsWorkflowClient } from "../../services/nats/workflow-client.js";
import { testCertificates } from "../support/certs.js";
import { completesOne } from "../support/order-status.js";
import { eventually } from "../support/eventually.js";

/**
 * The ack subject formats a consumer's acks may go to: the classic one, and on nats-server 2.14+
 * with the js_ack_fc_v2 feature flag `$JS.ACK.<domain>.<account hash>.<stream>.<consumer>.…`.
 */
const ACK_FORMATS = [
  { name: "classic ack subjects", featureFlags: undefined, newFormat: false },
  { name: "ack subjects of js_ack_fc_v2", featureFlags: { js_ack_fc_v2: true }, newFormat: true },
] as const;

for (const format of ACK_FORMATS)
  describe(`NATS secure profile: NKeys, least-privilege permissions, mutual TLS (${format.name})`, function () {
    this.timeout(60_000);
    let stack: NatsInProcessStack;
    let admin: NatsConnection;

    before(async function () {
      const version = natsServerVersion(ensureNatsServer()).slice(1);
      if (format.featureFlags && !versionAtLeast(version, "2.14.0")) {
        console.log(`      skipped: nats-server ${version} has no js_ack_fc_v2 (2.14+)`);
        this.skip();
      }
      stack = await startStack({ mode: "nats", where: "in-process", secure: testCertificates(), natsServer: { featureFlags: format.featureFlags } });
      admin = await connect({ servers: stack.server.url, ...credentialOptions(as("admin")) });
    });

    it("acks on the format under test: a consumer's messages carry acks of that format", async () => {
      const jsm = await admin.jetstreamManager();
      await jsm.streams.add({ name: "ACKPROBE", subjects: ["ackprobe"] });
      try {
        await jsm.consumers.add("ACKPROBE", { durable_name: "probe", ack_policy: AckPolicy.Explicit });
        await admin.jetstream().publish("ackprobe", Uint8Array.of(1));
        const m = await (await admin.jetstream().consumers.get("ACKPROBE", "probe")).next({ expires: 5_000 });
        expect(m, "the probe message").to.not.equal(null);
        // The client parses either format; only the new one carries the account's hash.
        expect({ stream: m!.info.stream, consumer: m!.info.consumer, newFormat: Boolean(m!.info.account_hash) }).to.deep.equal({
          stream: "ACKPROBE",
          consumer: "probe",
          newFormat: format.newFormat,
        });
        await m!.ackAck();
      } finally {
        await jsm.streams.delete("ACKPROBE");
      }
      // The services ack on this format too, within their permissions: an order completes, and every
      // consumer's ack floor reaches what it delivered well before a denied ack would be redelivered (5 s).
      await stillCompletes();
      const unacked = async () => {
        const left: string[] = [];
        for (const c of Object.values(CONSUMERS)) {
          const info = await jsm.consumers.info(c.stream, c.durable);
          if (info.num_ack_pending > 0) left.push(`${c.durable}: ${info.num_ack_pending} unacknowledged`);
        }
        return left;
      };
      await eventually("every service's acks taken", async () => ((await unacked()).length === 0 ? true : undefined), 3_000).catch(async (err: Error) => {
        throw new Error(`${err.message}: ${(await unacked()).join(", ")}`);
      });
    });
    after(async () => {
      await admin?.close();
      await stack?.close();
    });

    const as = (identity: NatsIdentity) => stack.identity(identity)!.nats();
    const connectAs = (identity: NatsIdentity) => connect({ servers: stack.server.url, ...credentialOptions(as(identity)) });

    /** The services are still healthy and still complete an order, placed as `client`. */
    async function stillCompletes(): Promise<void> {
      const client = await NatsWorkflowClient.connect({ natsUrl: stack.server.url, credentials: as("client") });
      try {
        await completesOne(client);
      } finally {
        await client.close();
      }
    }

    const messagesIn = async (stream: string) => (await (await admin.jetstreamManager()).streams.info(stream)).state.messages;

    it("refuses a connection without credentials, and one with an unknown key", async () => {
      const tls = { tls: credentialOptions(as("client")).tls };
      const none = await connect({ servers: stack.server.url, reconnect: false, ...tls }).then(
        (nc) => nc.close().then(() => "connected"),
        (e: Error) => e.message,
      );
      expect(none).to.match(/authorization violation/i);
      const stranger = nkeyAuthenticator(createUser().getSeed());
      const unknown = await connect({ servers: stack.server.url, reconnect: false, authenticator: stranger, ...tls }).then(
        (nc) => nc.close().then(() => "connected"),
        (e: Error) => e.message,
      );
      expect(unknown).to.match(/authorization violation/i);
      await stillCompletes();
    });

    it("refuses a connection without a client certificate, even with a valid key", async () => {
      const { authenticator, inboxPrefix } = credentialOptions(as("client"));
      const result = await connect({ servers: stack.server.url, reconnect: false, authenticator, inboxPrefix }).then(
        (nc) => nc.close().then(() => "connected"),
        (e: Error) => e.message,
      );
      expect(result).to.not.equal("connected");
      await stillCompletes();
    });

    for (const subject of [SUBJECTS.invoiceRequested, SUBJECTS.invoiceCreated, `${SUBJECTS.deadLetterPrefix}.x`]) {
      it(`denies client a publish to ${subject}: nothing is stored, and the error names the permission`, async () => {
        const nc = await connectAs("client");
        const stream = subject === SUBJECTS.invoiceRequested ? STREAMS.billing : subject === SUBJECTS.invoiceCreated ? STREAMS.events : STREAMS.deadLetters;
        const before = await messagesIn(stream);
        try {
          const err = await nc
            .jetstream()
            .publish(subject, Uint8Array.of(1), { timeout: 2_000 })
            .then(
              () => undefined,
              (e: Error) => e,
            );
          expect(err?.message).to.match(/permissions violation/i);
          expect(err?.message).to.include(subject);
        } finally {
          await nc.close();
        }
        expect(await messagesIn(stream)).to.equal(before);
        await stillCompletes();
      });
    }

    it("denies client deleting the ORDERS stream through $JS.API, and the stream stays", async () => {
      const nc = await connectAs("client");
      try {
        const err = await nc.request(`$JS.API.STREAM.DELETE.${STREAMS.orders}`, new Uint8Array(), { timeout: 2_000 }).then(
          () => undefined,
          (e: Error) => e,
        );
        expect(err?.message).to.match(/permissions violation/i);
        expect(err?.message).to.include("$JS.API.STREAM.DELETE.ORDERS");
      } finally {
        await nc.close();
      }
      expect((await (await admin.jetstreamManager()).streams.info(STREAMS.orders)).config.name).to.equal(STREAMS.orders);
      await stillCompletes();
    });

    it("lets client read only its own inbox: a subscription to another identity's inbox or to _INBOX.> is denied", async () => {
      for (const subject of ["_INBOX.>", "_INBOX_order.>"]) {
        const nc = await connectAs("client");
        try {
          const denied = (async () => {
            for await (const s of nc.status()) if (s.type === Events.Error && JSON.stringify(s.data).includes("PERMISSIONS_VIOLATION")) return s;
            return undefined;
          })();
          const sub = nc.subscribe(subject);
          const closed = sub.closed.catch(() => undefined);
          await nc.flush();
          const status = await denied;
          expect(JSON.stringify(status?.data)).to.include("PERMISSIONS_VIOLATION");
          // The server refused the subscription, and the client closed it: nothing will arrive on it.
          await closed;
          expect(sub.isClosed()).to.equal(true);
        } finally {
          await nc.close();
        }
      }
      await stillCompletes();
    });

    it("denies billing placing an order", async () => {
      const nc = await connectAs("billing");
      const before = await messagesIn(STREAMS.orders);
      try {
        const err = await nc
          .jetstream()
          .publish(SUBJECTS.orderPlaced, Uint8Array.of(1), { timeout: 2_000 })
          .then(
            () => undefined,
            (e: Error) => e,
          );
        expect(err?.message).to.match(/permissions violation.*orders\.placed/i);
      } finally {
        await nc.close();
      }
      expect(await messagesIn(STREAMS.orders)).to.equal(before);
      await stillCompletes();
    });

    it("stops a service at start that is given a garbled seed file, naming the file", async () => {
      const garbled = join(stack.dataDir, "garbled.nk");
      writeFileSync(garbled, "SUAGARBLEDSEEDTHATISNOTBASE32!!!\n");
      const env = {
        ...stack.identity("billing")!.env,
        NATS_URL: stack.server.url,
        DATA_DIR: join(stack.dataDir, "x"),
        NATS_NKEY_SEED_FILE: garbled,
      };
      const err = await startNatsService(natsConfig("billing", {}, env), createLogger("test", "error")).then(
        async (s) => {
          await s.close();
          return undefined;
        },
        (e: Error) => e,
      );
      expect(err).to.be.instanceOf(ConfigError);
      expect(err?.message).to.match(new RegExp(`^NATS_NKEY_SEED_FILE: ${garbled} is not an NKey seed`));
      await stillCompletes();
    });
  });
