import { expect } from "chai";
import { formatRanking, rankProfile, type CpuProfile } from "../../lab/measure/cpu-profile.js";

const frame = (functionName: string, url = "", lineNumber = 0) => ({ functionName, url, lineNumber });

// (root) -> main -> { parse, encode -> parse }, plus (idle).
const PROFILE: CpuProfile = {
  nodes: [
    { id: 1, callFrame: frame("(root)"), children: [2, 6] },
    { id: 2, callFrame: frame("main", "file:///app/main.js", 9), children: [3, 4] },
    { id: 3, callFrame: frame("parse", "file:///app/p.js", 0) },
    { id: 4, callFrame: frame("encode", "file:///app/e.js", 4), children: [5] },
    { id: 5, callFrame: frame("parse", "file:///app/p.js", 0) },
    { id: 6, callFrame: frame("(idle)") },
  ],
  startTime: 0,
  endTime: 10_000,
  // Each sample's time is the delta that follows it (µs).
  samples: [3, 5, 4, 2, 6],
  timeDeltas: [0, 1000, 2000, 3000, 500, 4000],
};

describe("CPU profile ranking", () => {
  const ranking = rankProfile(PROFILE);
  const get = (name: string) => ranking.functions.find((f) => f.name.startsWith(name))!;

  it("charges each sample to its leaf as self time and once to every function on its stack", () => {
    expect(get("parse").selfMs).to.equal(1 + 2);
    expect(get("encode").selfMs).to.equal(3);
    expect(get("main").selfMs).to.equal(0.5);
    expect(get("parse").totalMs).to.equal(3);
    expect(get("encode").totalMs).to.equal(2 + 3);
    expect(get("main").totalMs).to.equal(1 + 2 + 3 + 0.5);
    expect(get("(idle)").selfMs).to.equal(4);
    expect(ranking.sampledMs).to.equal(10.5);
  });

  it("names functions by file and line, and reports ms per order without idle time", () => {
    expect(get("encode").name).to.equal("encode e.js:5");
    const text = formatRanking("order", ranking, 2, 2);
    expect(text).to.match(/^order: 7 ms busy of 11 ms sampled, 3\.250 ms per order/);
    expect(text.split("\n")[2]).to.match(/3 ms\s+46\.2%\s+1\.500 ms\/order {2}(parse|encode)/);
    expect(text).not.to.include("(idle)");
  });
});
