import { expect } from "chai";
import { inRoundOrder } from "../../lab/measure/rounds.js";

describe("the order of systems in a round", () => {
  const systems = ["grpc", "nats", "bare grpc", "bare nats", "floor", "grpc (A/A)", "nats (A/A)"];
  const names = (round: number, seed: number) => inRoundOrder(systems, round, seed).map(([, name]) => name);

  it("measures every system once a round, each with its index", () => {
    for (const round of [1, 2, 3, 8]) {
      const order = inRoundOrder(systems, round, 42);
      expect(order.map(([i]) => i).sort()).to.deep.equal([...systems.keys()]);
      for (const [i, name] of order) expect(name).to.equal(systems[i]);
    }
  });

  it("takes the second round of a pair in the reverse of the first's order", () => {
    for (const pair of [1, 2, 5]) expect(names(2 * pair, 7)).to.deep.equal(names(2 * pair - 1, 7).reverse());
  });

  it("puts every system in every position equally often over a pair of rounds", () => {
    for (const seed of [1, 2, 3]) {
      const positions = systems.map(() => 0);
      for (const round of [1, 2]) for (const [position, [i]] of inRoundOrder(systems, round, seed).entries()) positions[i]! += position;
      expect(new Set(positions).size, `seed ${seed}`).to.equal(1);
    }
  });

  it("draws the order afresh for each pair, the same again for the same seed", () => {
    expect(names(1, 11)).to.deep.equal(names(1, 11));
    const firstRounds = [1, 3, 5, 7, 9, 11].map((round) => names(round, 11).join());
    expect(new Set(firstRounds).size).to.be.greaterThan(1);
    expect(names(1, 11)).to.not.deep.equal(names(1, 12));
  });

  it("gives each system different neighbours over the pairs: the A/A arm does not always follow the same system", () => {
    const before = new Set<string>();
    for (let round = 1; round <= 8; round++) {
      const order = names(round, 5);
      const at = order.indexOf("nats (A/A)");
      if (at > 0) before.add(order[at - 1]!);
    }
    expect(before.size).to.be.greaterThan(1);
  });
});
