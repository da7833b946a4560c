// npm run profile -- --mode grpc|nats --rate R [--duration 10s] [--warmup 4s] [--out DIR] [--top N]
// Starts one mode's services with CPU profiling, drives them with the load generator, stops them
// (ordered shutdown, which writes the profiles), and ranks each service's functions by self and
// inclusive time. The .cpuprofile files stay in DIR for Chrome DevTools (Performance > Load profile).
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { SERVICE_NAMES, isMode } from "../services/common/config.js";
import { formatRanking, rankProfile, type CpuProfile } from "../lab/measure/cpu-profile.js";
import { labOrder } from "../testbed/load/lab-order.js";
import { startStack } from "../testbed/stack/start-stack.js";
import { runLoad } from "../testbed/load/load-generator.js";
import { processCpuMs } from "../testbed/proc-cpu.js";
import { stackTarget } from "../testbed/load/targets.js";
import { durationMs } from "../testbed/duration.js";
import { ensureNatsServer } from "../testbed/nats-server.js";

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      mode: { type: "string" },
      rate: { type: "string", default: "200" },
      duration: { type: "string", default: "10s" },
      // Orders at 300/s before the measured load; the ranking leaves their samples out.
      warmup: { type: "string", default: "4s" },
      out: { type: "string" },
      top: { type: "string", default: "15" },
    },
  });
  if (!isMode(values.mode)) throw new Error("--mode must be grpc or nats");
  const mode = values.mode;
  const rate = Number(values.rate);
  if (!(rate > 0)) throw new Error(`--rate: ${JSON.stringify(values.rate)} is not a positive number`);
  const outDir = resolve(values.out ?? join("reports", `profile-${mode}-${new Date().toISOString().replace(/[:.]/g, "-")}`));
  if (mode === "nats") ensureNatsServer();
  const dataDir = mkdtempSync(join(tmpdir(), `gvn-profile-${mode}-`));
  const stack = await startStack({
    where: "processes",
    mode,
    dataDir,
    logFile: join(outDir, "services.log"),
    nodeArgs: (name) => ["--cpu-prof", `--cpu-prof-dir=${join(outDir, name)}`],
  });
  const target = await stackTarget(stack);
  const brokerPid = () => stack.brokerPids()[0];
  const runId = `profile-${Date.now().toString(36)}`;
  let completed: number;
  let brokerCpuMs: number | undefined;
  let measuredFromUs: number;
  try {
    await runLoad(target, {
      rate: 300,
      durationMs: durationMs(values.warmup, "--warmup"),
      makeOrder: (i) => labOrder(`${runId}-warm`, i),
      progressLabel: `warm-up ${mode}`,
    });
    measuredFromUs = Number(process.hrtime.bigint() / 1000n);
    const brokerBefore = processCpuMs(brokerPid());
    const result = await runLoad(target, {
      rate,
      durationMs: durationMs(values.duration),
      makeOrder: (i) => labOrder(runId, i),
      progressLabel: `profile ${mode} @ ${rate}/s`,
    });
    completed = result.completed;
    const brokerAfter = processCpuMs(brokerPid());
    if (brokerBefore !== undefined && brokerAfter !== undefined) brokerCpuMs = brokerAfter - brokerBefore;
    console.log(
      `${mode} @ ${rate}/s: sent ${result.sent}, completed ${result.completed}, complete p50 ${result.complete.p50} ms, p99 ${result.complete.p99} ms`,
    );
  } finally {
    await target.close();
    await stack.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  if (brokerCpuMs !== undefined) console.log(`nats-server: ${(brokerCpuMs / Math.max(completed, 1)).toFixed(3)} ms CPU per order during the load`);
  for (const name of SERVICE_NAMES) {
    const dir = join(outDir, name);
    const file = readdirSync(dir).find((f) => f.endsWith(".cpuprofile"));
    if (!file) throw new Error(`${name} wrote no profile in ${dir}`);
    const profile = JSON.parse(readFileSync(join(dir, file), "utf8")) as CpuProfile;
    console.log(`\n${formatRanking(`${name} (${join(dir, file)})`, rankProfile(profile, measuredFromUs), Number(values.top), completed)}`);
  }
  console.log(`\nprofiles and the services' log: ${outDir}`);
}

main().catch((err: unknown) => {
  process.stderr.write(`profile: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
