/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// page.$$eval runs in the browser: its callbacks see the DOM's types.
import { expect } from "chai";
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { chromium } from "playwright-core";
import { runOf, type LabReport } from "../../lab/results.js";
import type { Mode } from "../../services/common/config.js";
import { CAPABILITIES } from "../../testbed/stack/capabilities.js";
import { CUT_LINK_SETTINGS } from "../../lab/scenarios/cut-link.js";
import { LATENCY_SETTINGS } from "../../lab/scenarios/latency.js";
import { DEFAULT_SCENARIO_IDS, SCENARIOS } from "../../lab/scenarios/registry.js";
import { PROJECT_ROOT } from "../../testbed/process-group.js";

const run = promisify(execFile);
/** Spans one traced order leaves: the client's call and three servers' in gRPC; publishes and deliveries besides in NATS. */
const SPANS_PER_ORDER: Record<Mode, number> = { grpc: 6, nats: 10 };
const CHROMIUM = "/usr/bin/chromium";

describe("comparison lab: compare --quick", function () {
  this.timeout(600_000);
  const out = mkdtempSync(join(tmpdir(), "gvn-report-"));
  let report: LabReport;
  let stdout: string;

  before(async () => {
    ({ stdout } = await run(process.execPath, ["--import", "tsx", "scripts/compare.ts", "--quick", "--out", out], {
      cwd: PROJECT_ROOT,
      maxBuffer: 16 * 1024 * 1024,
    }));
    report = JSON.parse(readFileSync(join(out, "results.json"), "utf8")) as LabReport;
  });
  after(() => rmSync(out, { recursive: true, force: true }));

  it("writes report.md, report.html and the raw data, and prints a summary and where the report is", () => {
    for (const f of ["report.md", "report.html", "results.json"]) expect(existsSync(join(out, f)), f).to.equal(true);
    expect(stdout).to.match(/^scenario\s+system\s+sent/m);
    expect(stdout).to.include(join(out, "report.html"));
    expect(report.machine.cpus).to.be.greaterThan(0);
    expect(report.machine.natsServer).to.match(/\d+\.\d+\.\d+/);
  });

  it("has every scenario with figures for both modes", () => {
    expect(report.scenarios.map((s) => s.id)).to.deep.equal([...DEFAULT_SCENARIO_IDS]);
    for (const s of report.scenarios) {
      // Replicating the broker, and how it flushes to disk, concern only the NATS mode.
      expect(s.runs.map((r) => r.mode).sort(), s.id).to.deep.equal(["cluster", "durability", "partition"].includes(s.id) ? ["nats"] : ["grpc", "nats"]);
      for (const r of s.runs) {
        if (s.id === "latency") expect(r.series?.hopDelayMs, `${s.id} ${r.mode}`).to.deep.equal(LATENCY_SETTINGS[report.settings.profile].latencyHopDelaysMs);
        // Partitions need root for the lab network; without it the run says why.
        else if (s.id === "partition" && r.figures.skipped !== undefined) expect(r.figures.skipped).to.match(/root|needs/);
        else if (s.id === "addresses") expect(Object.keys(r.addresses ?? {}).sort(), `${s.id} ${r.mode}`).to.deep.equal(["billing", "notification", "order"]);
        else if (s.id === "capacity") expect(r.steps?.length, `${s.id} ${r.mode}`).to.be.greaterThan(0);
        else expect(r.load?.sent, `${s.id} ${r.mode}`).to.be.greaterThan(0);
      }
    }
    // A scenario's own knobs are kept with its results.
    for (const s of report.scenarios) {
      const knobs = SCENARIOS.find((x) => x.id === s.id)?.knobs;
      if (knobs) expect(s.settings, `${s.id}'s settings`).to.deep.equal(knobs[report.settings.profile]);
    }
    const md = readFileSync(join(out, "report.md"), "utf8");
    for (const s of report.scenarios) expect(md).to.include(`## ${s.title}`);
    expect(report.raw.map((r) => r.mode).sort()).to.deep.equal(["grpc", "nats"]);
  });

  it("puts the network's figures in the summary: latency per hop delay, aligned, and the cut link's audit", () => {
    const latency = report.summary.latency!;
    expect(latency.hopDelaysMs).to.deep.equal(LATENCY_SETTINGS[report.settings.profile].latencyHopDelaysMs);
    for (const mode of ["grpc", "nats"] as const)
      for (const key of ["answerP50Ms", "completeP50Ms"] as const) {
        expect(latency[mode]![key], `${mode} ${key}`).to.have.length(latency.hopDelaysMs.length);
        expect(latency[mode]![key].every((v) => v > 0)).to.equal(true);
      }
    const cut = report.summary.cutLink!;
    expect(cut.grpc).to.include({ lost: 0, duplicated: 0, falseSuccess: 0 });
    expect(cut.nats).to.include({ lost: 0, duplicated: 0, falseSuccess: 0 });
    expect(cut.grpc!.deadlineMs).to.equal(CUT_LINK_SETTINGS[report.settings.profile].cutLinkDeadlineMs);
  });

  it("measures each mode and its bare chain side by side: CPU per process at the baseline rate, capacity per round, peak memory", () => {
    const baseline = report.scenarios.find((s) => s.id === "baseline")!;
    for (const r of [...baseline.runs, ...baseline.raw!]) {
      expect(r.cpu?.total, `baseline ${r.mode}`).to.be.greaterThan(0);
      expect(Object.keys(r.cpu!.processes)).to.have.length(3);
    }
    const capacity = report.scenarios.find((s) => s.id === "capacity")!;
    for (const r of capacity.runs) expect(r.capacity?.rounds.length, `capacity searches ${r.mode}`).to.equal(report.settings.capacityRounds);
    // A bare chain is compared saturated only.
    for (const r of capacity.raw!) expect(r.capacity, `bare ${r.mode} chain searched`).to.equal(undefined);
    for (const r of [...capacity.runs, ...capacity.raw!]) {
      expect(r.series?.saturation?.length, `capacity saturated runs ${r.mode}`).to.be.within(
        report.settings.capacitySaturationRounds,
        Math.max(report.settings.capacityMaxRounds, report.settings.capacityBudgetRounds),
      );
      expect(r.steps!.every((st) => Object.keys(st.cpu.processes).length === 3)).to.equal(true);
      expect(Math.min(...Object.values(r.rssMiBPeak ?? {}))).to.be.greaterThan(10);
    }
  });

  it("draws orders from the spans recorded in the run: the median traced order of each mode, and an order through the outage", () => {
    const traces = report.scenarios.find((s) => s.id === "traces")!;
    for (const r of traces.runs) {
      const w = r.waterfalls?.[0];
      expect(w, `traces ${r.mode}`).to.not.equal(undefined);
      expect(new Set(w!.rows.map((row) => row.service)), `traces ${r.mode}`).to.deep.equal(new Set(["client", "order", "billing", "notification"]));
      expect(w!.clientWaitMs).to.be.greaterThan(0);
      expect(r.figures.spansPerOrder, `traces ${r.mode}`).to.equal(SPANS_PER_ORDER[r.mode]);
      expect(r.figures.cpuMsPerOrderUntraced).to.be.greaterThan(0);
      expect(r.figures.cpuMsPerOrderTraced).to.be.greaterThan(0);
    }
    // The gRPC client waits through the whole chain: its span covers every other span.
    const grpc = runOf(traces, "grpc")!.waterfalls![0]!;
    const client = grpc.rows.find((row) => row.service === "client")!;
    for (const row of grpc.rows) expect(row.startMs + row.durationMs).to.be.at.most(client.startMs + client.durationMs + 0.5);
    const down = report.scenarios.find((s) => s.id === "down")!;
    for (const r of down.runs) expect(r.waterfalls?.[0]?.rows.length, `down ${r.mode}`).to.be.greaterThan(0);
    expect(runOf(down, "nats")!.waterfalls![0]!.rows.some((row) => (row.waitedMs ?? 0) > 0)).to.equal(true);
  });

  it("prices the secure profile: each mode plain and secure at the baseline rate, CPU per order and latency", () => {
    const secure = report.scenarios.find((s) => s.id === "secure")!;
    expect(report.secure).to.equal(false);
    for (const r of secure.runs) {
      for (const k of ["cpuMsPerOrderPlain", "cpuMsPerOrderSecure", "completeP50Plain", "completeP50Secure"])
        expect(r.figures[k], `${r.mode} ${k}`).to.be.greaterThan(0);
      expect(r.series?.cpuOn, `${r.mode} rounds`).to.have.length(r.series!.cpuOff!.length);
    }
  });

  it("times every scenario, and says what each that may take rounds past its cap took of the run's round budget", () => {
    for (const s of report.scenarios) expect(s.durationMs, s.id).to.be.greaterThan(0);
    const claimants = SCENARIOS.filter((s) => s.takesRoundBudget).map((s) => s.id);
    expect(claimants).to.include.members(["capacity", "traces", "secure"]);
    for (const s of report.scenarios) {
      if (!claimants.includes(s.id)) expect(s.roundBudget, s.id).to.equal(undefined);
      // The quick profile has no round budget: nothing past a cap.
      else expect(s.roundBudget, s.id).to.deep.equal({ shareMs: report.settings.roundBudgetMs, spentMs: 0 });
    }
  });

  it("states every quantitative claim as a finding: an estimate inside its 95 % interval, and a verdict that follows from it", () => {
    const ids = report.findings.map((f) => f.id);
    for (const id of [
      "capacity.nats-vs-grpc",
      "capacity.grpc-vs-bare",
      "cpu.grpc-vs-bare",
      "cpu.nats-vs-bare",
      "cost.tracing.grpc",
      "cost.tracing.nats",
      "cost.secure.grpc",
      "cost.secure.nats",
      "latency.answer.hop-delay.grpc",
      "latency.answer.hop-delay.nats",
      "calibration.aa.grpc",
      "calibration.aa.nats",
    ])
      expect(ids, id).to.include(id);
    expect(new Set(ids).size, "ids are unique").to.equal(ids.length);
    for (const f of report.findings) {
      expect(f.rounds, f.id).to.be.at.least(2);
      expect(f.low, f.id).to.be.at.most(f.estimate);
      expect(f.high, f.id).to.be.at.least(f.estimate);
      // A ratio (×) compares with 1; a difference (ms, or CPU ms per order for a cost) with 0.
      expect(f.noDifference, f.id).to.equal(f.unit === "×" ? 1 : 0);
      const expected = f.low > f.noDifference ? "higher" : f.high < f.noDifference ? "lower" : "no measurable difference";
      expect(f.verdict, f.id).to.equal(expected);
      // A cost whose interval includes zero is never printed as a signed cost (after the reason, when withheld).
      const words = f.withheld ? f.text.slice(f.text.indexOf("as measured: ") + "as measured: ".length) : f.text;
      if (f.verdict === "no measurable difference") expect(words, f.id).to.match(/^no measurable difference/);
    }
    // When an A/A check found a difference between identical arms, every other verdict says it is withheld.
    const aaFailed = report.findings.some((f) => f.id.startsWith("calibration.aa.") && f.verdict !== "no measurable difference");
    for (const f of report.findings.filter((x) => !x.id.startsWith("calibration."))) expect(f.withheld !== undefined, `${f.id} withheld`).to.equal(aaFailed);
    const md = readFileSync(join(out, "report.md"), "utf8");
    for (const f of report.findings) expect(md, f.id).to.include(`| ${f.label} |`);
    expect(md).to.include("## How to read the figures");
    expect(report.noise.probes.length).to.be.greaterThan(0);
  });

  it("opens results.json with a summary under stable names, with a capacity that reached the top as a lower bound", () => {
    const s = report.summary;
    for (const key of ["grpc", "nats", "rawGrpc", "rawNats"] as const) {
      const x = s[key];
      expect(x, key).to.include.keys("capacity", "capacityAtLeast", "capacitySpread", "cpuMsPerOrder", "brokerCpuMsPerOrder");
      // A mode is searched: exactly one of the two is set, a number that looks like a limit is never a
      // lower bound. A bare chain is only run saturated.
      if (key === "grpc" || key === "nats") expect((x.capacity === null) !== (x.capacityAtLeast === null), key).to.equal(true);
      else expect([x.capacity, x.capacityAtLeast], key).to.deep.equal([null, null]);
      expect(x.saturation?.median, `${key} saturated`).to.be.greaterThan(0);
      expect(x.cpuMsPerOrder, key).to.be.greaterThan(0);
      expect(x.cpuMsPerOrderWarm, `${key} at the warm rate`).to.be.greaterThan(0);
    }
    expect(s.warmRate).to.equal(report.settings.warmRate);
    expect(s.nats.brokerCpuMsPerOrderWarm).to.be.greaterThan(0);
    expect(s.floor.cpuMsPerOrder, "the work floor").to.be.greaterThan(0);
    expect(s.floor.cpuMsPerOrderWarm, "the work floor, warm").to.be.greaterThan(0);
    expect(s.grpc.brokerCpuMsPerOrder).to.equal(null);
    expect(s.rawGrpc.brokerCpuMsPerOrder).to.equal(null);
    expect(s.nats.brokerCpuMsPerOrder).to.be.greaterThan(0);
    expect(s.grpc.rssMiBPeak).to.be.greaterThan(10);
    expect(s.nats.rssMiBPeak).to.be.greaterThan(10);
  });

  it("opens the report with a verdict table, and labels every figure in plain words", () => {
    const md = readFileSync(join(out, "report.md"), "utf8");
    const html = readFileSync(join(out, "report.html"), "utf8");
    expect(md).to.match(/## At a glance\n\n\| finding \| estimate \(95 % interval\) \| verdict \| rounds \|/);
    expect(md).to.include("| scenario | gRPC | NATS |");
    for (const s of report.scenarios) expect(md).to.include(`| ${s.title} |`);
    // No camelCase key of results.json shows on either page.
    const keys = new Set<string>();
    const collect = (v: unknown): void => {
      if (Array.isArray(v)) v.forEach(collect);
      else if (v && typeof v === "object")
        for (const [k, x] of Object.entries(v)) {
          if (/^[a-z]+[A-Z]\w*$/.test(k)) keys.add(k);
          collect(x);
        }
    };
    collect(report.scenarios);
    collect(report.summary);
    expect(keys.size, "keys to look for").to.be.greaterThan(10);
    for (const k of keys) {
      expect(md, `report.md shows ${k}`).not.to.match(new RegExp(`\\b${k}\\b`));
      expect(html, `report.html shows ${k}`).not.to.match(new RegExp(`\\b${k}\\b`));
    }
  });

  it("audits every scenario: nothing lost, no duplicates, no success reported for an order that did not complete", () => {
    for (const s of report.scenarios) {
      for (const r of s.runs) {
        if (!r.audit) continue;
        const where = `${s.id} ${r.mode}`;
        expect(r.audit.lost, `${where} lost`).to.equal(0);
        expect(r.audit.duplicateInvoices, `${where} duplicate invoices`).to.equal(0);
        expect(r.audit.duplicateEmails, `${where} duplicate e-mails`).to.equal(0);
        expect(r.audit.unexpected, `${where} unexpected`).to.equal(0);
        expect(r.audit.falseSuccess, `${where} false success`).to.equal(0);
        // A broker keeps what it accepted: every order sent completes.
        if (CAPABILITIES[r.mode].hasBroker) expect(r.audit.completed, `${where} completed`).to.equal(r.audit.sent);
      }
    }
    const addresses = report.scenarios.find((s) => s.id === "addresses")!;
    const nats = runOf(addresses, "nats")!.addresses!;
    for (const env of Object.values(nats)) expect(Object.keys(env)).to.deep.equal(["NATS_URL"]);
    const grpc = runOf(addresses, "grpc")!.addresses!;
    expect(Object.keys(grpc.order!)).to.include.members(["BILLING_SERVICE_ADDR", "NOTIFICATION_SERVICE_ADDR"]);
  });

  it("renders the charts of report.html in headless Chromium", async function () {
    // .ci/run installs Debian's chromium; elsewhere: apt-get install chromium
    if (!existsSync(CHROMIUM)) this.skip();
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      await page.goto(`file://${join(out, "report.html")}`);
      const charts = await page.$$eval("svg.chart", (svgs) =>
        svgs.map((svg) => {
          const box = svg.getBoundingClientRect();
          const marks = [...svg.querySelectorAll(".data")].filter((el) => {
            const b = (el as unknown as { getBBox(): { width: number; height: number } }).getBBox();
            return b.width > 0 || b.height > 0;
          });
          return { title: svg.querySelector("title")?.textContent ?? "", width: box.width, height: box.height, marks: marks.length };
        }),
      );
      expect(errors).to.deep.equal([]);
      expect(charts.length).to.be.at.least(8);
      for (const c of charts) {
        expect(c.width, c.title).to.be.greaterThan(300);
        expect(c.height, c.title).to.be.greaterThan(100);
        expect(c.marks, `${c.title} draws data`).to.be.greaterThan(0);
      }
      await page.screenshot({ path: join(out, "report.png"), fullPage: true });
    } finally {
      await browser.close();
    }
  });
});
