import { expect } from "chai";
import { lineChart } from "../../lab/report/svg-charts.js";

describe("line charts", () => {
  const series = [{ name: "completed/s", color: "#000", points: [[0, 1] as [number, number], [10, 2] as [number, number]] }];

  it("shades each band from its start to its end, and draws overlapping bands in rows of their own", () => {
    const svg = lineChart(
      "t",
      "s",
      "n",
      series,
      [],
      [
        { from: 1, to: 4, label: "kill n1" },
        { from: 2, to: 3, label: "isolate n2" },
        { from: 5, to: 6, label: "pause order" },
      ],
    );
    const rects = [...svg.matchAll(/<rect x="([\d.]+)" y="\d+" width="([\d.]+)" height="\d+" class="band"><title>([^<]+)<\/title>/g)];
    expect(rects.map((r) => r[3])).to.deep.equal(["kill n1", "isolate n2", "pause order"]);
    const [kill, isolate] = rects.map((r) => Number(r[2]));
    expect(kill! / isolate!).to.be.closeTo(3, 0.01);
    const rowOf: Record<string, number> = {};
    for (const m of svg.matchAll(/<text x="[\d.]+" y="(\d+)" class="mark-label">([^<]+)<\/text>/g)) rowOf[m[2]!] = Number(m[1]);
    expect(rowOf["isolate n2"], "an overlapping band goes to the next row").to.be.greaterThan(rowOf["kill n1"]!);
    expect(rowOf["pause order"], "a band after the first ends reuses its row").to.equal(rowOf["kill n1"]);
  });

  it("stretches the x axis to the last band's end", () => {
    const svg = lineChart("t", "s", "n", series, [], [{ from: 8, to: 40, label: "cut n3" }]);
    expect(svg).to.include(">50<");
  });
});
