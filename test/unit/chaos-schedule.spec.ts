import { expect } from "chai";
import { CHAOS_OPS, drawSchedule, touched, type ChaosFault } from "../../testbed/chaos/schedule.js";
import { MODES } from "../../services/common/config.js";

const onBroker = (f: ChaosFault) => /^(n\d|leader)/.test(f.target);

describe("a chaos schedule drawn from a seed", () => {
  for (const mode of MODES) {
    it(`${mode}: the same seed draws the same schedule, another seed another`, () => {
      const a = drawSchedule({ seed: 42, mode, durationMs: 120_000 });
      expect(drawSchedule({ seed: 42, mode, durationMs: 120_000 })).to.deep.equal(a);
      expect(drawSchedule({ seed: 43, mode, durationMs: 120_000 })).to.not.deep.equal(a);
      expect(a.length).to.be.greaterThan(3);
    });

    it(`${mode}: a quiet start, every fault healed within the duration, two at once never on one target`, () => {
      for (let seed = 1; seed <= 40; seed++) {
        const s = drawSchedule({ seed, mode, durationMs: 60_000 });
        for (const f of s) {
          expect(f.plannedAtMs, `seed ${seed}`).to.be.at.least(6_000);
          expect(f.plannedAtMs + f.holdMs, `seed ${seed}`).to.be.at.most(60_000);
          // Held 4 s up to an eighth of the run (7.5 s here).
          expect(f.holdMs).to.be.within(4_000, 7_500);
        }
        for (const [i, f] of s.entries())
          for (const g of s.slice(i + 1).filter((x) => x.plannedAtMs < f.plannedAtMs + f.holdMs)) {
            expect(
              touched(f).filter((x) => touched(g).includes(x)),
              `seed ${seed}: ${JSON.stringify([f, g])}`,
            ).to.deep.equal([]);
            expect(onBroker(f) && onBroker(g), `seed ${seed}: two broker faults at once`).to.equal(false);
          }
      }
    });
  }

  for (const durationMs of [36_000, 60_000, 120_000])
    it(`any seed draws at least four faults of three kinds in ${durationMs / 1000} s, and in NATS one on the broker's nodes`, () => {
      for (let seed = 0; seed < 300; seed++)
        for (const mode of MODES) {
          const s = drawSchedule({ seed, mode, durationMs });
          expect(s.length, `${mode} seed ${seed}`).to.be.at.least(4);
          expect(new Set(s.map((f) => f.op)).size, `${mode} seed ${seed}`).to.be.at.least(3);
          if (mode === "nats") expect(s.some(onBroker), `seed ${seed}: a broker fault`).to.equal(true);
        }
    });

  it("gRPC faults hit the services only; NATS faults hit the broker's nodes too, with every kind over a long run", () => {
    const grpc = drawSchedule({ seed: 5, mode: "grpc", durationMs: 600_000 });
    expect(grpc.every((f) => ["order", "billing", "notification"].includes(f.target))).to.equal(true);
    expect(new Set(grpc.map((f) => f.op))).to.deep.equal(new Set(["kill", "pause", "isolate"]));
    const nats = drawSchedule({ seed: 5, mode: "nats", durationMs: 600_000 });
    expect(nats.some(onBroker)).to.equal(true);
    expect(new Set(nats.map((f) => f.op))).to.deep.equal(new Set(CHAOS_OPS));
  });
});
