import { expect } from "chai";
import { washOut, WASH_OUT } from "../../lab/measure/wash-out.js";
import { machineTicks } from "../../testbed/proc-cpu.js";

describe("the wash-out between two systems' turns", () => {
  it("gives up at its limit when the machine never counts as quiet", async () => {
    const before = machineTicks();
    await washOut({ ...WASH_OUT, maxMs: 300, quietBusyShare: 0 });
    // It waited: the machine's clock moved on (ticks are 10 ms).
    expect(machineTicks().all).to.be.greaterThan(before.all);
  });

  it("returns once the machine is quiet enough", async () => {
    await washOut({ ...WASH_OUT, maxMs: 60_000, quietBusyShare: 1.01 });
  });
});
