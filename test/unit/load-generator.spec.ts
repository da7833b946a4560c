import { expect } from "chai";
import { LatencyRecorder } from "../../testbed/load/latency.js";
import { runLoad, timeline, type LoadTarget } from "../../testbed/load/load-generator.js";
import { labOrder } from "../../testbed/load/lab-order.js";
import { intendedSendTimes, seededRandom } from "../../testbed/load/schedule.js";

describe("load generator scheduling", () => {
  it("spaces uniform arrivals exactly by 1/rate", () => {
    expect(intendedSendTimes({ rate: 100, count: 5 })).to.deep.equal([0, 10, 20, 30, 40]);
    expect(intendedSendTimes({ rate: 50, durationMs: 1_000 })).to.have.length(50);
  });

  it("draws Poisson arrivals from the seed: same seed, same run; mean gap 1/rate", () => {
    const a = intendedSendTimes({ rate: 200, count: 20_000, arrivals: "poisson", seed: 7 });
    const b = intendedSendTimes({ rate: 200, count: 20_000, arrivals: "poisson", seed: 7 });
    const c = intendedSendTimes({ rate: 200, count: 20_000, arrivals: "poisson", seed: 8 });
    expect(a).to.deep.equal(b);
    expect(a).to.not.deep.equal(c);
    const meanGap = a.at(-1)! / (a.length - 1);
    expect(meanGap).to.be.closeTo(5, 0.15);
    expect(a.every((t, i) => i === 0 || t >= a[i - 1]!)).to.equal(true);
  });

  it("refuses a rate that is not positive", () => {
    expect(() => intendedSendTimes({ rate: 0, count: 1 })).to.throw(RangeError);
  });

  it("has a seeded generator in [0, 1)", () => {
    const r = seededRandom(1);
    const xs = Array.from({ length: 1000 }, r);
    expect(Math.min(...xs)).to.be.at.least(0);
    expect(Math.max(...xs)).to.be.below(1);
  });
});

describe("latency percentiles", () => {
  it("reads percentiles of a known distribution within the histogram's precision", () => {
    const rec = new LatencyRecorder();
    for (let ms = 1; ms <= 1000; ms++) rec.record(ms);
    const s = rec.summary();
    expect(s.count).to.equal(1000);
    expect(s.p50).to.be.closeTo(500, 1);
    expect(s.p90).to.be.closeTo(900, 1);
    expect(s.p99).to.be.closeTo(990, 1);
    expect(s.max).to.be.closeTo(1000, 1);
    expect(s.mean).to.be.closeTo(500.5, 1);
  });

  it("keeps sub-millisecond resolution", () => {
    const rec = new LatencyRecorder();
    for (const ms of [0.25, 0.25, 0.5, 0.75]) rec.record(ms);
    expect(rec.summary().p50).to.be.closeTo(0.25, 0.01);
  });

  it("summarises no samples as zeros", () => {
    expect(new LatencyRecorder().summary()).to.deep.equal({ count: 0, p50: 0, p90: 0, p99: 0, max: 0, mean: 0 });
  });
});

describe("open-loop load", () => {
  it("keeps sending at the intended times while no answer comes back, and counts latency from the intended time", async () => {
    const pending: Array<() => void> = [];
    let allSent!: () => void;
    const sent = new Promise<void>((r) => (allSent = r));
    const target: LoadTarget = {
      name: "stalled",
      answerMeansComplete: true,
      place: () =>
        new Promise<void>((resolve) => {
          pending.push(resolve);
          if (pending.length === 20) allSent();
        }),
    };
    const run = runLoad(target, { rate: 1_000, count: 20, makeOrder: (i) => labOrder("t", i), drainTimeoutMs: 10_000 });
    await sent;
    pending.forEach((resolve) => resolve());
    const result = await run;
    expect(result.sent).to.equal(20);
    expect(result.completed).to.equal(20);
    // The first order was intended at t=0 and answered only after all 20 were sent (~19 ms later at least).
    expect(result.accept.max).to.be.at.least(19);
    expect(result.orders[0]!.acceptedAt).to.be.at.least(result.orders[19]!.intendedAt);
  });

  it("counts errors by code and completions reported by an asynchronous target", async () => {
    let notify!: (id: string, ok: boolean) => void;
    const target: LoadTarget = {
      name: "async",
      answerMeansComplete: false,
      async place(order) {
        if (order.orderId.endsWith("-3")) throw new Error("boom");
        queueMicrotask(() => notify(order.orderId, true));
      },
      async watch(onSettled) {
        notify = onSettled;
        return async () => undefined;
      },
    };
    const result = await runLoad(target, { rate: 500, count: 5, makeOrder: (i) => labOrder("t", i), drainTimeoutMs: 10_000 });
    expect(result.completed).to.equal(4);
    expect(result.errors).to.deep.equal({ Error: 1 });
    expect(result.complete.count).to.equal(4);
  });

  it("saturating: keeps exactly inFlight orders in an asynchronous system until each completes, and stops sending at the duration", async () => {
    let notify!: (id: string, ok: boolean) => void;
    let open = 0;
    let maxOpen = 0;
    const target: LoadTarget = {
      name: "async",
      answerMeansComplete: false,
      // Accepted at once, completed 2 ms later: an intake far faster than the work.
      async place(order) {
        maxOpen = Math.max(maxOpen, ++open);
        setTimeout(() => {
          open--;
          notify(order.orderId, true);
        }, 2);
      },
      async watch(onSettled) {
        notify = onSettled;
        return async () => undefined;
      },
    };
    const result = await runLoad(target, {
      rate: 20_000,
      durationMs: 100,
      saturate: { inFlight: 4 },
      makeOrder: (i) => labOrder("t", i),
      drainTimeoutMs: 10_000,
    });
    expect(maxOpen).to.equal(4);
    // Paced by completions (4 at a time, 2 ms or more each), not by the 2,000 the schedule holds.
    expect(result.sent).to.be.within(4, 4 + 4 * 50);
    expect(result.completed).to.equal(result.sent);
    expect(result.errors).to.deep.equal({});
  });

  it("stops sending when its signal is aborted, owing nothing of the rest of the schedule", async () => {
    const stop = new AbortController();
    let placed = 0;
    const target: LoadTarget = {
      name: "sync",
      answerMeansComplete: true,
      async place() {
        if (++placed === 10) stop.abort();
      },
    };
    const result = await runLoad(target, { rate: 1_000, durationMs: 60_000, signal: stop.signal, makeOrder: (i) => labOrder("t", i), drainTimeoutMs: 10_000 });
    // The tenth answer aborts; sends already due when it lands may follow it, none of the 60,000 after.
    expect(result.sent).to.be.at.least(10).and.below(1_000);
    expect(result.completed).to.equal(result.sent);
  });

  it("buckets a timeline by send, answer and completion times", () => {
    const points = timeline(
      [
        { orderId: "a", intendedAt: 0, acceptedAt: 50, completedAt: 150 },
        { orderId: "b", intendedAt: 120, error: "UNAVAILABLE" },
      ],
      200,
      2,
    );
    expect(points).to.deep.equal([
      { t: 0, sent: 1, accepted: 1, completed: 0, errors: 0 },
      { t: 100, sent: 1, accepted: 0, completed: 1, errors: 1 },
      { t: 200, sent: 0, accepted: 0, completed: 0, errors: 0 },
    ]);
  });
});
