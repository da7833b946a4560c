import { expect } from "chai";
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { connect } from "nats";
import { natsConfig } from "../../services/common/config.js";
import { STREAMS } from "../../services/nats/topology.js";
import { startNatsServer } from "../../testbed/nats-server.js";
import { PROJECT_ROOT } from "../../testbed/process-group.js";

const run = promisify(execFile);

describe("NATS_STREAM_REPLICAS", function () {
  this.timeout(60_000);

  it("is read from the environment or --stream-replicas, 1 by default, and must be at least 1", () => {
    const base = { NATS_URL: "nats://127.0.0.1:4222" };
    expect(natsConfig("billing", {}, base).streamReplicas).to.equal(1);
    expect(natsConfig("billing", {}, { ...base, NATS_STREAM_REPLICAS: "3" }).streamReplicas).to.equal(3);
    expect(natsConfig("billing", { "stream-replicas": "5" }, base).streamReplicas).to.equal(5);
    expect(() => natsConfig("billing", {}, { ...base, NATS_STREAM_REPLICAS: "0" })).to.throw('NATS_STREAM_REPLICAS: "0" must be an integer >= 1');
  });

  it("stops a service at start when the server cannot keep that many replicas, naming the variable and the server's answer", async () => {
    const dir = await mkdtemp(join(tmpdir(), "gvn-replicas-"));
    const server = await startNatsServer({ storeDir: join(dir, "nats") });
    try {
      const res = await run(process.execPath, ["--import", "tsx", "services/main.ts", "billing", "--mode", "nats"], {
        cwd: PROJECT_ROOT,
        env: { PATH: process.env.PATH ?? "", DATA_DIR: dir, NATS_URL: server.url, NATS_STREAM_REPLICAS: "3" },
        timeout: 30_000,
      }).then(
        () => ({ code: 0, stderr: "" }),
        (err: { code?: number; stderr?: string }) => ({ code: err.code, stderr: err.stderr ?? "" }),
      );
      expect(res.code).to.equal(2);
      // Debian's 2.9 answers "replicas > 1 not supported in non-clustered mode"; the message is the server's own.
      expect(res.stderr).to.match(/configuration error: NATS_STREAM_REPLICAS=3: the server refused stream ORDERS: .*replicas.* \(error \d+\)/);
      const nc = await connect({ servers: server.url });
      try {
        const streams = await (await nc.jetstreamManager()).streams.names().next();
        expect(streams, "nothing half-provisioned").to.not.include(STREAMS.orders);
      } finally {
        await nc.close();
      }
    } finally {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
