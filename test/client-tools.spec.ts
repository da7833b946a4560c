import type { NatsInProcessStack } from "../testbed/stack/nats-in-process.js";
import type { GrpcInProcessStack } from "../testbed/stack/grpc-in-process.js";
import { startStack } from "../testbed/stack/start-stack.js";
import { expect } from "chai";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { PROJECT_ROOT } from "../testbed/process-group.js";
import { testCertificates } from "./support/certs.js";
import { identity } from "../testbed/identity.js";

const run = promisify(execFile);

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs a project tool with only the given environment (and PATH), as a user would from a shell. */
async function tool(script: string, args: string[], env: Record<string, string>): Promise<Outcome> {
  const started = Date.now();
  try {
    const { stdout, stderr } = await run(process.execPath, ["--import", "tsx", script, ...args], {
      cwd: PROJECT_ROOT,
      env: { PATH: process.env.PATH ?? "", ...env },
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr, ms: Date.now() - started };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === "number" ? e.code : -1, stdout: e.stdout ?? "", stderr: e.stderr ?? "", ms: Date.now() - started };
  }
}

const completed = (o: Outcome) => (JSON.parse(o.stdout) as { completed: number }).completed;

describe("client tools against the secure profile", function () {
  this.timeout(120_000);

  describe("gRPC (mutual TLS)", () => {
    let stack: GrpcInProcessStack;
    let address: string;
    before(async () => {
      stack = await startStack({ mode: "grpc", where: "in-process", secure: testCertificates() });
      address = stack.services.order.addresses.listens!;
    });
    after(() => stack?.close());

    it("npm run load drives it with the client's certificate", async () => {
      const out = await tool("scripts/load.ts", ["--mode", "grpc", "--orders", "5", "--rate", "50"], {
        ORDER_SERVICE_ADDR: address,
        ...identity(testCertificates(), "client").env,
      });
      expect(out.code, out.stderr).to.equal(0);
      expect(completed(out)).to.equal(5);
    });

    it("npm run load without credentials fails within seconds, non-zero, saying why", async () => {
      const out = await tool("scripts/load.ts", ["--mode", "grpc", "--orders", "5", "--rate", "50"], { ORDER_SERVICE_ADDR: address });
      expect(out.code).to.not.equal(0);
      expect(out.stderr).to.match(/^load: the order service at .* did not answer a read as it should: /);
      expect(out.ms).to.be.lessThan(20_000);
    });

    it("npm run demo places its samples with the client's certificate, and fails without it", async () => {
      const ok = await tool("scripts/demo.ts", [], { ORDER_SERVICE_ADDR: address, ...identity(testCertificates(), "client").env });
      expect(ok.code, ok.stderr).to.equal(0);
      expect(ok.stdout.match(/: ORDER_STATUS_COMPLETED, /g)).to.have.length(2);
      expect(ok.stdout).to.match(/: refused: items\[0\]|: refused: customer\.email/);
      const refused = await tool("scripts/demo.ts", [], { ORDER_SERVICE_ADDR: address });
      expect(refused.code).to.equal(1);
      expect(refused.stderr).to.match(/^demo: no sample order completed at /m);
    });

    it("npm run load names a TLS setting that is incomplete", async () => {
      const certs = testCertificates();
      const out = await tool("scripts/load.ts", ["--mode", "grpc", "--orders", "1"], { ORDER_SERVICE_ADDR: address, TLS_CA_FILE: certs.ca });
      expect(out.code).to.equal(2);
      expect(out.stderr).to.match(/TLS_CERT_FILE and TLS_KEY_FILE not set/);
    });
  });

  describe("NATS (NKeys, subject permissions, mutual TLS)", () => {
    let stack: NatsInProcessStack;
    before(async () => {
      stack = await startStack({ mode: "nats", where: "in-process", secure: testCertificates() });
    });
    after(() => stack?.close());

    it("npm run load drives it with the client's seed and certificate", async () => {
      const out = await tool("scripts/load.ts", ["--mode", "nats", "--orders", "5", "--rate", "50"], {
        NATS_URL: stack.server.url,
        ...stack.identity("client")!.env,
      });
      expect(out.code, out.stderr).to.equal(0);
      expect(completed(out)).to.equal(5);
    });

    it("npm run load without credentials fails within seconds, non-zero, saying why", async () => {
      const out = await tool("scripts/load.ts", ["--mode", "nats", "--orders", "5", "--rate", "50"], { NATS_URL: stack.server.url });
      expect(out.code).to.not.equal(0);
      expect(out.stderr).to.match(/^load: cannot connect to NATS at .* \(no NATS_NKEY_SEED_FILE or TLS_\* given\): /);
      expect(out.ms).to.be.lessThan(20_000);
    });

    it("npm run load as an identity the permissions do not allow to place orders fails, non-zero, saying why", async () => {
      const out = await tool("scripts/load.ts", ["--mode", "nats", "--orders", "3", "--rate", "50"], {
        NATS_URL: stack.server.url,
        ...stack.identity("billing")!.env,
      });
      expect(out.code).to.not.equal(0);
      expect(out.stderr).to.match(/^load: .* did not answer a read as it should: .*Permissions Violation/m);
      expect(out.ms).to.be.lessThan(40_000);
    });

    it("npm run nats:status reads it as admin", async () => {
      const out = await tool("scripts/nats-status.ts", [], { NATS_URL: stack.server.url, ...stack.identity("admin")!.env });
      expect(out.code, out.stderr).to.equal(0);
      expect(out.stdout).to.include("ORDERS");
    });
  });
});
