import { expect } from "chai";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureNatsServer } from "../../testbed/nats-server.js";
import { PROJECT_ROOT } from "../../testbed/process-group.js";

describe("the compose file's secrets job", function () {
  this.timeout(60_000);
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), "gvn-secrets-"))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("writes the certificates and a nats-server config that the server accepts, and keeps them on a second run", () => {
    const run = () => execFileSync(process.execPath, ["--import", "tsx", "scripts/compose-secrets.ts", dir], { cwd: PROJECT_ROOT, encoding: "utf8" });
    run();
    for (const f of ["tls/ca.pem", "tls/order.pem", "tls/nats-key.pem", "nats/nats-1.conf", "nats/nats-3.conf", "nats/nkeys/admin.nk", "nats/nkeys/client.nk"])
      expect(existsSync(join(dir, f)), f).to.equal(true);
    const conf = readFileSync(join(dir, "nats/nats-2.conf"), "utf8");
    expect(conf).to.include('listen: "0.0.0.0:4222"').and.include('store_dir: "/data"').and.include("verify: true").and.include('server_name: "nats-2"');
    expect(conf).to.include('routes: ["nats-route://nats-1:6222", "nats-route://nats-2:6222", "nats-route://nats-3:6222"]');
    // The three nodes know the same users: one set of seeds.
    const users = (file: string) => readFileSync(join(dir, "nats", file), "utf8").match(/nkey: "U[A-Z0-9]+"/g);
    expect(users("nats-1.conf")).to.deep.equal(users("nats-3.conf"));
    const ca = readFileSync(join(dir, "tls/ca.pem"));
    run();
    expect(readFileSync(join(dir, "tls/ca.pem")).equals(ca), "the CA is kept").to.equal(true);
    expect(readFileSync(join(dir, "nats/nats-2.conf"), "utf8")).to.equal(conf);
    for (const node of ["nats-1", "nats-2", "nats-3"]) execFileSync(ensureNatsServer(), ["-t", "-c", join(dir, `nats/${node}.conf`)], { stdio: "pipe" });
  });
});
