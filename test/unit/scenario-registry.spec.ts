import { expect } from "chai";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import type { LabReport, ScenarioResult } from "../../lab/results.js";
import { SCENARIOS } from "../../lab/scenarios/registry.js";
import { PROJECT_ROOT } from "../../testbed/process-group.js";

const PARTS = ["run", "explain", "verdict", "keyFigure", "charts", "tables", "summarize", "findings"] as const;

describe("the lab's scenario registry", () => {
  it("lists scenarios with unique ids, each with every part the lab needs", () => {
    const ids = SCENARIOS.map((s) => s.id);
    expect(new Set(ids).size).to.equal(ids.length);
    for (const s of SCENARIOS) {
      expect(s.id, "id").to.match(/^[a-z][a-z-]*$/);
      expect(s.title.length, `${s.id} title`).to.be.greaterThan(5);
      expect(s.claim.length, `${s.id} claim`).to.be.greaterThan(20);
      expect(s.figureLabels, `${s.id} figure labels`).to.be.an("object");
      for (const part of PARTS) expect(typeof s[part], `${s.id}.${part}`).to.equal("function");
    }
  });

  it("registers every module under scenarios/ that exports a scenario", () => {
    const dir = join(PROJECT_ROOT, "lab/scenarios");
    const defining = readdirSync(dir).filter((f) => /export const \w+: Scenario = /.test(readFileSync(join(dir, f), "utf8")));
    expect(defining.length).to.equal(SCENARIOS.length);
  });

  it("lets every scenario speak of a mode that did not run, without throwing", () => {
    const report = { findings: [], scenarios: [], settings: {}, machine: { cpus: 2 } } as unknown as LabReport;
    for (const s of SCENARIOS) {
      const empty: ScenarioResult = { id: s.id, title: s.title, runs: [] };
      expect(s.verdict(undefined, empty, report), s.id)
        .to.be.a("string")
        .and.not.equal("");
      expect(s.explain(empty, report), s.id).to.be.an("array");
      expect(s.findings(empty), s.id).to.deep.equal([]);
    }
  });

  it("writes no scenario id in more than two of the lab's source files", () => {
    const files = (dir: string): string[] =>
      readdirSync(join(PROJECT_ROOT, dir), { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
      );
    const sources = [...files("lab"), "scripts/compare.ts"].map((f) => readFileSync(join(PROJECT_ROOT, f), "utf8"));
    for (const { id } of SCENARIOS) {
      const quoted = new RegExp(`["'\`]${id}["'\`]`);
      expect(sources.filter((text) => quoted.test(text)).length, id).to.be.at.most(2);
    }
  });
});
