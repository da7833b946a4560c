import { expect } from "chai";
import { execFileSync } from "node:child_process";
import { createServer, type AddressInfo } from "node:net";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  checkedNatsServer,
  ensureNatsServer,
  findNatsServer,
  startNatsServer,
  supportedVersion,
  versionAtLeast,
  versionOf,
} from "../../testbed/nats-server.js";
import { PROJECT_ROOT } from "../../testbed/process-group.js";
import { ConfigError } from "../../services/common/config-error.js";

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

  it("says why when it exits during start: a port another socket holds", async () => {
    const dir = await mkdtemp(join(tmpdir(), "gvn-taken-"));
    // Holds the port and drops whoever connects, as no nats-server would.
    const holder = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => holder.listen(0, "127.0.0.1", resolve));
    const port = (holder.address() as AddressInfo).port;
    try {
      let refused: Error | undefined;
      try {
        const server = await startNatsServer({ storeDir: join(dir, "nats"), port });
        await server.stop();
      } catch (err) {
        refused = err as Error;
      }
      expect(refused?.message).to.match(/nats-server exited with \d+ during start: .*address already in use/);
    } finally {
      await new Promise((resolve) => holder.close(resolve));
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("tells 2.10 and later from older servers, and orders versions by their numbers", () => {
    expect(["2.10.0", "2.10.27", "2.11.1", "3.0.0"].map(supportedVersion)).to.deep.equal([true, true, true, true]);
    expect(["2.9.10", "2.2.0", "1.4.1", "unknown"].map(supportedVersion)).to.deep.equal([false, false, false, false]);
    expect(versionAtLeast("2.15.1", "2.14.1")).to.equal(true);
    expect(versionAtLeast("2.9.10", "2.10.0")).to.equal(false);
    expect(versionAtLeast("2.10.27", "2.10.27")).to.equal(true);
    expect(versionAtLeast("2.14.0", "2.14.1")).to.equal(false);
  });

  it("is the newest there is unless NATS_SERVER_BIN names one", function () {
    if (process.env.NATS_SERVER_BIN) {
      expect(ensureNatsServer()).to.equal(process.env.NATS_SERVER_BIN);
      return;
    }
    const chosen = versionOf(ensureNatsServer());
    // Every other nats-server of 2.10 or later on this machine is at most as new.
    const others = execFileSync("bash", ["-c", "which -a nats-server; ls .tools/nats-server/*/usr/sbin/nats-server /usr/sbin/nats-server 2>/dev/null; true"], {
      cwd: PROJECT_ROOT,
      encoding: "utf8",
    })
      .split("\n")
      .filter(Boolean)
      .map(versionOf)
      .filter(supportedVersion);
    for (const v of others) expect(versionAtLeast(chosen, v), `chose ${chosen} although ${v} is there`).to.equal(true);
    expect(findNatsServer()).to.equal(ensureNatsServer());
  });

  it("refuses a NATS_SERVER_BIN that is no nats-server of 2.10 or later, naming the setting", () => {
    expect(() => checkedNatsServer("/nonexistent/nats-server", "NATS_SERVER_BIN"))
      .to.throw(ConfigError)
      .with.property("message")
      .that.matches(/^NATS_SERVER_BIN: "\/nonexistent\/nats-server" is not an executable file/);
    // An executable that prints no nats-server version.
    expect(() => checkedNatsServer("/bin/true", "--nats-server"))
      .to.throw(ConfigError)
      .with.property("message")
      .that.matches(/^--nats-server: \/bin\/true is nats-server unknown; the project needs 2.10 or later/);
  });
});
