import { expect } from "chai";
import { searchCapacity, type SearchSettings } from "../../lab/measure/capacity-search.js";
import { medianAndSpread } from "../../lab/stats.js";
import type { LoadResult } from "../../testbed/load/load-generator.js";
import type { RunningSystem } from "../../lab/systems/systems.js";

const SETTINGS: SearchSettings = { startRate: 200, maxRate: 3000, stepMs: 1000, refineSteps: 3, p99BoundMs: 250, errorBound: 0.01, drainTimeoutMs: 1000 };

/**
 * A stand-in system that keeps up with any rate up to `limit` and falls behind above it; the probes
 * numbered in `spikes` (from 1) meet a passing latency spike at any rate.
 */
function systemWithLimit(limit: number, spikes: number[] = []): RunningSystem & { offered: number[] } {
  const offered: number[] = [];
  let cpu = 0;
  const latency = (p99: number) => ({ count: 0, mean: 0, p50: 1, p90: 1, p99, max: p99 });
  return {
    id: "grpc",
    offered,
    target: { name: "fake", answerMeansComplete: true, place: () => Promise.resolve() },
    load(options) {
      offered.push(options.rate);
      const sent = Math.round((options.rate * (options.durationMs ?? 0)) / 1000);
      cpu += sent * 2;
      const result: LoadResult = {
        target: "fake",
        rate: options.rate,
        sent,
        accepted: sent,
        completed: sent,
        errors: {},
        accept: latency(5),
        complete: latency(options.rate <= limit && !spikes.includes(offered.length) ? 20 : 900),
        throughputPerSec: Math.min(options.rate, limit),
        durationMs: options.durationMs ?? 0,
        timeline: [],
        orders: [],
      };
      return Promise.resolve(result);
    },
    cpu: () => ({ processes: { a: cpu } }),
    peakRssMiB: () => ({ a: 50 }),
    stop: () => Promise.resolve(),
  };
}

describe("capacity search", () => {
  it("grows the rate until a probe fails, then narrows the gap to within the refine steps", async () => {
    const system = systemWithLimit(830);
    const result = await searchCapacity(system, SETTINGS, 1);
    expect(system.offered.slice(0, 5)).to.deep.equal([200, 300, 450, 680, 1020]);
    // Three halvings of [680, 1020]: 850 fails (twice), 770 holds, 810 holds.
    expect(result.capacity).to.equal(810);
    expect(result.atMaxRate).to.equal(false);
    expect(result.steps.map((s) => [s.rate, s.held])).to.deep.include.members([
      [680, true],
      [1020, false],
      [850, false],
    ]);
    expect(result.steps.every((s) => s.cpu.total === 2)).to.equal(true);
  });

  it("probes a failed rate once more, and counts it as held when the second probe holds", async () => {
    // The first probe (200/s) meets a latency spike; the one after it does not.
    const system = systemWithLimit(830, [1]);
    const result = await searchCapacity(system, SETTINGS, 1);
    expect(system.offered.slice(0, 4)).to.deep.equal([200, 200, 300, 450]);
    expect(result.capacity).to.equal(810);
    expect(result.steps.filter((s) => s.rate === 1020).map((s) => s.held)).to.deep.equal([false, false]);
  });

  it("starts from an estimate in later rounds, and goes down when the estimate no longer holds", async () => {
    const system = systemWithLimit(500);
    const result = await searchCapacity(system, { ...SETTINGS, refineSteps: 1 }, 2, 800);
    expect(system.offered[0]).to.equal(800);
    expect(result.capacity).to.be.within(450, 500);
    expect(result.steps.every((s) => s.round === 2)).to.equal(true);
  });

  it("reports a system that holds the maximum rate as a lower bound", async () => {
    const result = await searchCapacity(systemWithLimit(1e9), SETTINGS, 1);
    expect(result).to.include({ capacity: 3000, atMaxRate: true });
  });

  it("takes the median and the range of the rounds", () => {
    expect(medianAndSpread([900, 700, 800])).to.deep.equal({ median: 800, min: 700, max: 900 });
    expect(medianAndSpread([700, 800])).to.deep.equal({ median: 750, min: 700, max: 800 });
  });
});
