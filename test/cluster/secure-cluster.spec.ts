import { expect } from "chai";
import { connect } from "nats";
import { startStack } from "../../testbed/stack/start-stack.js";
import { credentialOptions } from "../../services/nats/connection.js";
import { STREAMS } from "../../services/nats/topology.js";
import { testCertificates } from "../support/certs.js";
import { completesOne } from "../support/order-status.js";

describe("a secure JetStream cluster from the generated configs (what the compose file runs)", function () {
  this.timeout(120_000);

  for (const where of ["in-process", "processes"] as const) {
    it(`services ${where === "in-process" ? "in this process" : "as processes"}: forms a 3-node cluster with NKey users over mutual TLS, takes streams with 3 replicas from admin, and completes an order`, async () => {
      await using stack = await startStack({ mode: "nats", where, cluster: 3, secure: testCertificates() });
      const nc = await connect({ servers: stack.entry.split(","), ...credentialOptions(stack.identity("admin")!.nats()) });
      try {
        const info = await (await nc.jetstreamManager()).streams.info(STREAMS.orders);
        expect(info.config.num_replicas).to.equal(3);
        expect(info.cluster?.replicas).to.have.length(2);
      } finally {
        await nc.close();
      }
      const client = await stack.connectClient();
      try {
        await completesOne(client);
      } finally {
        await client.close();
      }
    });
  }
});
