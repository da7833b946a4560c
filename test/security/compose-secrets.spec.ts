import { expect } from "chai";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findNatsServer } from "../../scripts/lib/nats-server.js";
import { PROJECT_ROOT } from "../../scripts/lib/process-group.js";

describe("the compose file's secrets job", function () {
  this.timeout(60_000);
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), "gvn-secrets-"))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("writes the certificates and a nats-server config that the server accepts, and keeps them on a second run", () => {
    const run = () => execFileSync(process.execPath, ["--import", "tsx", "scripts/compose-secrets.ts", dir], { cwd: PROJECT_ROOT, encoding: "utf8" });
    run();
    for (const f of ["tls/ca.pem", "tls/order.pem", "tls/nats-key.pem", "nats/nats.conf", "nats/nkeys/admin.nk", "nats/nkeys/client.nk"])
      expect(existsSync(join(dir, f)), f).to.equal(true);
    const conf = readFileSync(join(dir, "nats/nats.conf"), "utf8");
    expect(conf).to.include('listen: "0.0.0.0:4222"').and.include('store_dir: "/data"').and.include("verify: true");
    const ca = readFileSync(join(dir, "tls/ca.pem"));
    run();
    expect(readFileSync(join(dir, "tls/ca.pem")).equals(ca), "the CA is kept").to.equal(true);
    expect(readFileSync(join(dir, "nats/nats.conf"), "utf8")).to.equal(conf);
    execFileSync(findNatsServer()!, ["-t", "-c", join(dir, "nats/nats.conf")], { stdio: "pipe" });
  });
});
