import { expect } from "chai";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { PROJECT_ROOT } from "../../testbed/process-group.js";

const run = promisify(execFile);

async function service(args: string[], env: Record<string, string>): Promise<{ code: number; stderr: string }> {
  try {
    await run(process.execPath, ["--import", "tsx", "services/main.ts", ...args], {
      cwd: PROJECT_ROOT,
      env: { PATH: process.env.PATH ?? "", ...env },
      timeout: 30_000,
    });
    return { code: 0, stderr: "" };
  } catch (err) {
    const e = err as { code?: number; stderr?: string };
    return { code: e.code ?? -1, stderr: e.stderr ?? "" };
  }
}

describe("starting a service with a bad configuration", function () {
  this.timeout(60_000);

  it("stops the order service at start when BILLING_SERVICE_ADDR is missing, naming it", async () => {
    const res = await service(["order", "--mode", "grpc"], { NOTIFICATION_SERVICE_ADDR: "127.0.0.1:1" });
    expect(res.code).to.equal(2);
    expect(res.stderr).to.include("BILLING_SERVICE_ADDR is not set");
  });

  it("stops the order service at start when NOTIFICATION_SERVICE_ADDR is malformed, naming it", async () => {
    const res = await service(["order", "--mode", "grpc"], { BILLING_SERVICE_ADDR: "127.0.0.1:1", NOTIFICATION_SERVICE_ADDR: "127.0.0.1" });
    expect(res.code).to.equal(2);
    expect(res.stderr).to.include('NOTIFICATION_SERVICE_ADDR: "127.0.0.1" is not host:port');
  });

  it("refuses an unknown service name", async () => {
    const res = await service(["shipping", "--mode", "grpc"], {});
    expect(res.code).to.equal(2);
    expect(res.stderr).to.include("service name must be one of order, billing, notification");
  });
});
