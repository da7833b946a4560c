import { expect } from "chai";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePorts } from "../../scripts/lib/free-port.js";
import { writeNatsConfig } from "../../scripts/lib/nats-config.js";
import { startNatsServer, type ManagedNatsServer } from "../../scripts/lib/nats-server.js";
import { credentialsOf, provisionAsAdmin, secureEnv } from "../../scripts/lib/secure-nats.js";
import { natsConfig, SERVICE_NAMES } from "../../services/common/config.js";
import { createLogger } from "../../services/common/logger.js";
import type { RunningService } from "../../services/common/running-service.js";
import { credentialOptions } from "../../services/nats/connection.js";
import { startNatsService } from "../../services/nats/start-service.js";
import { STREAMS } from "../../services/nats/topology.js";
import { NatsWorkflowClient } from "../../services/nats/workflow-client.js";
import { connect } from "nats";
import { testCertificates } from "../support/certs.js";
import { sampleOrder } from "../support/orders.js";
import { orderReaches } from "../support/order-status.js";

describe("a secure JetStream cluster from the generated configs (what the compose file runs)", function () {
  this.timeout(120_000);

  it("forms a 3-node cluster with NKey users over mutual TLS, takes streams with 3 replicas from admin, and completes an order", async () => {
    const dir = await mkdtemp(join(tmpdir(), "gvn-secure-cluster-"));
    const certs = testCertificates();
    const nodes: ManagedNatsServer[] = [];
    const services: RunningService[] = [];
    let client: NatsWorkflowClient | undefined;
    try {
      const all = await freePorts(9);
      const ports = [0, 1, 2].map((i) => ({ client: all[3 * i]!, route: all[3 * i + 1]!, monitor: all[3 * i + 2]! }));
      const routes = ports.map((p) => `nats-route://127.0.0.1:${p.route}`);
      const configs = ports.map((p, i) =>
        writeNatsConfig({
          out: join(dir, "nats"),
          confName: `n${i + 1}.conf`,
          storeDir: join(dir, `n${i + 1}`),
          port: p.client,
          monitorPort: p.monitor,
          tlsDir: certs.dir,
          cluster: { serverName: `n${i + 1}`, name: "shop", port: p.route, routes },
        }),
      );
      const admin = credentialsOf(configs[0]!, certs, "admin");
      nodes.push(
        ...(await Promise.all(
          configs.map((c, i) =>
            startNatsServer({
              storeDir: join(dir, `n${i + 1}`),
              port: ports[i]!.client,
              secure: { configFile: c.confFile, monitorPort: ports[i]!.monitor, connect: credentialOptions(admin) },
            }),
          ),
        )),
      );
      const url = nodes.map((n) => n.url).join(",");
      await provisionAsAdmin(url, admin, { NATS_STREAM_REPLICAS: "3" });
      const nc = await connect({ servers: url.split(","), ...credentialOptions(admin) });
      try {
        const info = await (await nc.jetstreamManager()).streams.info(STREAMS.orders);
        expect(info.config.num_replicas).to.equal(3);
        expect(info.cluster?.replicas).to.have.length(2);
      } finally {
        await nc.close();
      }
      for (const name of SERVICE_NAMES)
        services.push(
          await startNatsService(
            natsConfig(name, {}, { DATA_DIR: dir, NATS_URL: url, ...secureEnv(configs[0]!, certs, name) }),
            createLogger(`nats:${name}`, "error"),
          ),
        );
      client = await NatsWorkflowClient.connect({ natsUrl: url, credentials: credentialsOf(configs[0]!, certs, "client") });
      const order = sampleOrder();
      await client.placeOrder(order);
      await orderReaches(client, order.orderId);
    } finally {
      await client?.close();
      for (const s of services) await s.close();
      await Promise.all(nodes.map((n) => n.stop()));
      await rm(dir, { recursive: true, force: true });
    }
  });
});
