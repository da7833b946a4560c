import { startStack } from "../../testbed/stack/start-stack.js";
import { expect } from "chai";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { connect } from "nats";
import { PROJECT_ROOT } from "../../testbed/process-group.js";
import { eventually } from "../support/eventually.js";

const run = promisify(execFile);

describe("npm run nats:status", function () {
  this.timeout(60_000);

  it("prints streams, consumers with their counts, the dead letters with reasons, and the services", async () => {
    const stack = await startStack({ mode: "nats", where: "in-process" });
    const nc = await connect({ servers: stack.server.url });
    try {
      await nc.jetstream().publish("orders.placed", Uint8Array.of(0xff, 0xff));
      const status = async () =>
        (
          await run(process.execPath, ["--import", "tsx", "scripts/nats-status.ts"], {
            cwd: PROJECT_ROOT,
            env: { ...process.env, NATS_URL: stack.server.url, NATS_MONITOR_URL: stack.server.monitorUrl },
          })
        ).stdout;
      const out = await eventually("the dead letter in the status", async () => {
        const text = await status();
        return text.includes("undecodable shop.v1.Order payload") ? text : undefined;
      });
      for (const stream of ["ORDERS", "BILLING", "NOTIFICATION", "ORDER_EVENTS", "DEAD_LETTERS"]) expect(out).to.include(stream);
      expect(out).to.match(/ORDERS\/order-intake\s+order\s+\d+\s+\d+\s+256\s+\d+/);
      expect(out).to.match(/Dead letters \(1\)/);
      expect(out).to.match(/orders\.placed\s+ORDERS\/1\s+1\s+undecodable/);
      expect(out).to.include("order-service 1.0.0");
      expect(out).to.include(
        `Monitoring: ${stack.server.monitorUrl}/varz (server), ${stack.server.monitorUrl}/jsz (JetStream), ${stack.server.monitorUrl}/healthz: 200 ok`,
      );
    } finally {
      await nc.close();
      await stack.close();
    }
  });
});
