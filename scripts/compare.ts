// npm run compare -- [--quick | --short] [--scenarios baseline,down] [--modes grpc,nats] [--out DIR] [--seed N] [--order-seed N] [--secure | --net]
// Runs each scenario in both modes against freshly started services and writes reports/<timestamp>/.
import { randomInt } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { MODES, type Mode } from "../services/common/config.js";
import { summaryTable } from "../lab/report/console.js";
import { renderHtml } from "../lab/report/html.js";
import { awaitBackgroundRemovals, removeInBackground } from "../testbed/remove-in-background.js";
import { renderMarkdown } from "../lab/report/markdown.js";
import type { LabReport, ScenarioResult } from "../lab/results.js";
import { withCalibration } from "../lab/calibration.js";
import { capacityModels } from "../lab/capacity-model.js";
import { computeRatios, emptySummary, mergeRaw } from "../lab/report/summarize.js";
import type { LabContext } from "../lab/context.js";
import { noiseRecord, type NoiseProbe } from "../lab/measure/noise-probe.js";
import { RoundBudget } from "../lab/measure/round-budget.js";
import { DEFAULT_SCENARIO_IDS, SCENARIOS, SCENARIO_IDS } from "../lab/scenarios/registry.js";
import { PROFILES, type Profile } from "../lab/settings.js";
import { writeCertificates, type CertificateSet } from "../testbed/certs.js";
import { checkedNatsServer, describeNatsServer, ensureNatsServer, natsServerVersion } from "../testbed/nats-server.js";
import { LabNet, labNetUnavailable } from "../testbed/net/lab-net.js";

function wholeNumber(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`${flag}: ${JSON.stringify(value)} is not a whole number`);
  return n;
}

function list<T extends string>(flag: string, value: string | undefined, allowed: readonly T[], fallback: readonly T[]): T[] {
  if (!value) return [...fallback];
  const items = value.split(",").map((s) => s.trim());
  for (const item of items)
    if (!(allowed as readonly string[]).includes(item)) throw new Error(`${flag}: unknown ${JSON.stringify(item)}; choose from ${allowed.join(", ")}`);
  return items as T[];
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: "boolean", default: false },
      short: { type: "boolean", default: false },
      scenarios: { type: "string" },
      modes: { type: "string" },
      out: { type: "string" },
      seed: { type: "string" },
      "order-seed": { type: "string" },
      "keep-data": { type: "boolean", default: false },
      secure: { type: "boolean", default: false },
      net: { type: "boolean", default: false },
      "nats-server": { type: "string" },
    },
  });
  const profile: Profile = values.quick ? "quick" : values.short ? "short" : "full";
  const settings = {
    ...PROFILES[profile],
    ...(values.seed ? { seed: Number(values.seed) } : {}),
    // Every run draws its own order, so that one run's neighbours are not every run's.
    roundOrderSeed: values["order-seed"] === undefined ? randomInt(2 ** 31) : wholeNumber("--order-seed", values["order-seed"]),
  };
  const scenarios = list("--scenarios", values.scenarios, SCENARIO_IDS, DEFAULT_SCENARIO_IDS);
  const modes = list<Mode>("--modes", values.modes, MODES, MODES);
  const createdAt = new Date().toISOString();
  const outDir = resolve(values.out ?? join("reports", createdAt.replace(/[:.]/g, "-")));
  mkdirSync(outDir, { recursive: true });
  process.stderr.write(`[lab] ${describeNatsServer(ensureNatsServer())}\n`);
  const why = values.net ? labNetUnavailable() : undefined;
  if (why) throw new Error(`--net: ${why}`);
  if (values.net && values.secure) throw new Error("--net with --secure: the development certificates name localhost, not the lab's hosts; choose one");
  // Removed at exit, on Ctrl-C and at the next start after a crash (npm run net:clean too).
  const net = values.net ? LabNet.create() : undefined;
  await awaitBackgroundRemovals((line) => process.stderr.write(`[lab] ${line}\n`));

  const started = performance.now();
  let certs: CertificateSet | undefined;
  const probes: NoiseProbe[] = [];
  const ctx: LabContext = {
    probes,
    settings,
    outDir,
    modes,
    log: (l) => process.stderr.write(`${l}\n`),
    secure: values.secure,
    net,
    otherNatsServer: values["nats-server"] === undefined ? undefined : checkedNatsServer(values["nats-server"], "--nats-server"),
    // One development CA per run, made when a secure run first needs it.
    certificates: () => (certs ??= writeCertificates(join(outDir, "data", "tls"), { force: true })),
  };
  const results: ScenarioResult[] = [];
  const selected = SCENARIOS.filter((s) => scenarios.includes(s.id));
  const budget = new RoundBudget(
    settings.roundBudgetMs,
    selected.filter((s) => s.takesRoundBudget).map((s) => s.id),
  );
  for (const scenario of selected) {
    ctx.log(`[compare] scenario ${scenario.id} (${modes.join(", ")})`);
    const scenarioStarted = performance.now();
    const share = (ctx.roundShare = budget.shareOf(scenario.id));
    const result = await scenario.run(ctx, results);
    if (scenario.knobs) result.settings = scenario.knobs[profile];
    result.durationMs = Math.round(performance.now() - scenarioStarted);
    if (scenario.takesRoundBudget) result.roundBudget = { shareMs: Math.round(share.ms), spentMs: Math.round(share.spentMs) };
    results.push(result);
  }
  const raw = mergeRaw(results);
  const summary = emptySummary(settings.baselineRate, settings.warmRate);
  for (const [i, scenario] of selected.entries()) scenario.summarize(results[i]!, summary);
  summary.capacityModel = capacityModels(modes, results, cpus().length, settings.warmRate);
  const findings = withCalibration(selected.flatMap((scenario, i) => scenario.findings(results[i]!)));
  net?.close();

  const c = cpus();
  const report: LabReport = {
    version: 3,
    createdAt,
    machine: {
      cpus: c.length,
      cpuModel: c[0]?.model.trim() ?? "unknown",
      memoryGb: Math.round(totalmem() / 2 ** 30),
      node: process.version,
      natsServer: natsServerVersion(),
      platform: `${process.platform} ${process.arch}`,
    },
    settings,
    secure: values.secure,
    net: values.net,
    summary,
    findings,
    scenarios: results,
    raw,
    ratios: computeRatios(summary),
    noise: noiseRecord(probes),
    durationMs: Math.round(performance.now() - started),
  };
  writeFileSync(
    join(outDir, "results.json"),
    JSON.stringify(report, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v), 2),
  );
  writeFileSync(join(outDir, "report.md"), renderMarkdown(report, SCENARIOS));
  writeFileSync(join(outDir, "report.html"), renderHtml(report, SCENARIOS));
  // The services' databases were only needed for the audits, which the report holds.
  if (!values["keep-data"]) removeInBackground(join(outDir, "data"));

  console.log(summaryTable(report, SCENARIOS));
  console.log(`\nReport: ${join(outDir, "report.html")}\n        ${join(outDir, "report.md")}\nRaw data: ${join(outDir, "results.json")}`);
}

main().catch((err: unknown) => {
  process.stderr.write(`compare failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
