import { expect } from "chai";
import { runChaos } from "../../testbed/chaos/run.js";
import { drawSchedule } from "../../testbed/chaos/schedule.js";
import { LabNet, labNetUnavailable } from "../../testbed/net/lab-net.js";
import { MODES } from "../../services/common/config.js";

/**
 * Seed 12 over 36 s draws, for gRPC, seven faults (the order service paused, killed twice and
 * isolated, notification isolated while the order service is killed, billing paused); for NATS six
 * (the ORDERS leader cut from its peers, n1 paused, a part-kill, the order service killed while
 * notification is isolated, n2 isolated).
 */
const SEED = 12;
const DURATION_MS = 36_000;

describe("chaos: a seeded schedule of combined faults, every process on a host of its own", function () {
  this.timeout(300_000);
  let net: LabNet | undefined;

  before(function () {
    const why = labNetUnavailable();
    if (why) {
      console.log(`      skipped: ${why}`);
      this.skip();
    }
    net = LabNet.create();
  });
  after(() => net?.close());

  for (const mode of MODES)
    it(`${mode}: nothing acknowledged is lost, done twice, falsely reported or stuck`, async () => {
      const schedule = drawSchedule({ seed: SEED, mode, durationMs: DURATION_MS });
      const { audit: a } = await runChaos({ mode, seed: SEED, schedule, durationMs: DURATION_MS, rate: 15, net: net!, drainLimitMs: 120_000 });
      console.log(
        `      ${mode}: ${a.schedule.map((f) => `${f.op} ${f.appliedTarget ?? f.target} at ${f.appliedAtMs} ms`).join("; ")}; ` +
          `sent ${a.sent}, acknowledged ${a.acknowledged}, re-sent ${a.resent} (${JSON.stringify(a.refused)}), recovery ${a.recoveryMs} ms, ` +
          `stalled ${JSON.stringify(a.stalled)}`,
      );
      expect(a.schedule.length, "faults").to.be.at.least(4);
      expect(
        a.schedule.every((f) => (f.appliedAtMs ?? -1) >= 0 && (f.healedAtMs ?? -1) >= f.appliedAtMs!),
        "every fault applied and healed",
      ).to.equal(true);
      expect(a.acknowledged, "every order acknowledged in the end").to.equal(a.sent);
      expect({ lost: a.lost, duplicated: a.duplicated, falseSuccess: a.falseSuccess, stuck: a.stuck }).to.deep.equal({
        lost: 0,
        duplicated: 0,
        falseSuccess: 0,
        stuck: 0,
      });
    });
});
