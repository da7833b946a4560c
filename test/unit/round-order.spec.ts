import { expect } from "chai";
import { inRoundOrder } from "../../lab/measure/rounds.js";

describe("the order of systems in a round", () => {
  it("is the listed order in odd rounds and the reverse in even ones, each with its index", () => {
    expect(inRoundOrder(["a", "b", "c"], 1)).to.deep.equal([
      [0, "a"],
      [1, "b"],
      [2, "c"],
    ]);
    expect(inRoundOrder(["a", "b", "c"], 2)).to.deep.equal([
      [2, "c"],
      [1, "b"],
      [0, "a"],
    ]);
  });

  it("puts every system in every position equally often over a pair of rounds", () => {
    const systems = ["grpc", "nats", "bare grpc", "bare nats", "floor", "grpc (A/A)", "nats (A/A)"];
    const positions = systems.map(() => 0);
    for (const round of [1, 2]) for (const [position, [i]] of inRoundOrder(systems, round).entries()) positions[i]! += position;
    expect(new Set(positions).size).to.equal(1);
  });
});
