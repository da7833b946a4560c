import { expect } from "chai";
import { mainThreadCpuMs, processCpuMs } from "../../testbed/proc-cpu.js";

describe("reading a process's CPU from /proc", () => {
  it("reads the main thread's share apart: no more than the process's, and it grows with work done on the main thread", () => {
    const before = { main: mainThreadCpuMs(process.pid)!, all: processCpuMs(process.pid)! };
    const until = process.cpuUsage().user + 200_000;
    while (process.cpuUsage().user < until); // 200 ms of JavaScript on this (the main) thread
    const after = { main: mainThreadCpuMs(process.pid)!, all: processCpuMs(process.pid)! };
    expect(after.main).to.be.at.most(after.all);
    // The clock ticks are 10 ms: most of the 200 ms shows.
    expect(after.main - before.main).to.be.at.least(150);
  });

  it("reads nothing for a process that is not there", () => {
    expect(mainThreadCpuMs(undefined)).to.equal(undefined);
    expect(mainThreadCpuMs(2 ** 22 + 1)).to.equal(undefined);
  });
});
