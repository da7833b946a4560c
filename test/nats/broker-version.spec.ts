import { expect } from "chai";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startNatsServer, supportedVersion } from "../../scripts/lib/nats-server.js";

describe("the nats-server the project starts", () => {
  it("is 2.10 or later", async () => {
    const dir = await mkdtemp(join(tmpdir(), "gvn-version-"));
    const server = await startNatsServer({ storeDir: join(dir, "nats") });
    try {
      expect(server.version).to.match(/^v\d+\.\d+\.\d+/);
      expect(supportedVersion(server.version.slice(1)), server.version).to.equal(true);
    } finally {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("tells 2.10 and later from older servers", () => {
    expect(["2.10.0", "2.10.27", "2.11.1", "3.0.0"].map(supportedVersion)).to.deep.equal([true, true, true, true]);
    expect(["2.9.10", "2.2.0", "1.4.1", "unknown"].map(supportedVersion)).to.deep.equal([false, false, false, false]);
  });
});
