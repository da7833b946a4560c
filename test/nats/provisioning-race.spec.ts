import { expect } from "chai";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "nats";
import { ensureStreams, STREAMS } from "../../services/nats/topology.js";
import { startNatsServer } from "../../testbed/nats-server.js";

describe("NATS provisioning under a start-up race", function () {
  this.timeout(120_000);

  it("creates every stream when many connections provision a fresh server at the same moment, again and again", async () => {
    for (let round = 0; round < 20; round++) {
      const dir = await mkdtemp(join(tmpdir(), "gvn-race-"));
      const server = await startNatsServer({ storeDir: dir });
      const conns = await Promise.all(Array.from({ length: 10 }, () => connect({ servers: server.url })));
      try {
        const jsms = await Promise.all(conns.map((nc) => nc.jetstreamManager()));
        await Promise.all(jsms.map((jsm) => ensureStreams(jsm, { duplicateWindowMs: 60_000 })));
        expect((await jsms[0]!.streams.names().next()).sort()).to.deep.equal(Object.values(STREAMS).sort());
      } finally {
        await Promise.all(conns.map((nc) => nc.close()));
        await server.stop();
        await rm(dir, { recursive: true, force: true });
      }
    }
  });
});
