// npm run turns -- [--mode grpc|nats] [--in-flight 64] [--every-ms 1]
// How many of a mode's Node main threads (its services' and the lab client's) run at once while the
// mode is saturated: sampled from /proc in a thread of its own, beside the machine's idle share. A
// chain whose callers wait runs its processes in turns (one at a time, most of the time); a broker's
// consumers run side by side. The capacity model's third ceiling rests on this (docs/scaling.md).
// Sampling every millisecond takes CPU of its own: the throughput printed is lower than the lab's.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { Worker } from "node:worker_threads";
import { isMode } from "../services/common/config.js";
import { ConfigError } from "../services/common/config-error.js";
import { PROFILES } from "../lab/settings.js";
import type { LabContext } from "../lab/context.js";
import { startWarmedUp } from "../lab/measure/rounds.js";
import { SATURATION, measureSaturation } from "../lab/measure/saturation.js";
import type { RunningSystem } from "../lab/systems/systems.js";
import { machineTicks } from "../testbed/proc-cpu.js";

// Runs in a worker: counts, every `everyMs`, how many of the given threads are in state R.
const SAMPLER = `
const { readFileSync } = require("node:fs");
const { workerData, parentPort } = require("node:worker_threads");
const counts = []; let stopping = false;
parentPort.on("message", () => { stopping = true; });
(function sample() {
  let running = 0;
  for (const pid of workerData.pids) {
    try { if (readFileSync("/proc/" + pid + "/task/" + pid + "/stat", "utf8").split(") ")[1][0] === "R") running++; } catch {}
  }
  counts[running] = (counts[running] ?? 0) + 1;
  if (stopping) parentPort.postMessage(counts); else setTimeout(sample, workerData.everyMs);
})();`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      mode: { type: "string", default: "grpc" },
      "in-flight": { type: "string", default: String(SATURATION.inFlight) },
      "every-ms": { type: "string", default: "1" },
    },
  });
  const mode = values.mode;
  if (!isMode(mode)) throw new ConfigError(`--mode must be grpc or nats, not ${JSON.stringify(mode)}`);
  const inFlight = Number(values["in-flight"]);
  if (!Number.isInteger(inFlight) || inFlight < 1)
    throw new ConfigError(`--in-flight must be a whole number of orders, 1 or more, not ${JSON.stringify(values["in-flight"])}`);
  const everyMs = Number(values["every-ms"]);
  if (!(everyMs >= 0)) throw new ConfigError(`--every-ms must be a number of milliseconds, not ${JSON.stringify(values["every-ms"])}`);
  const outDir = mkdtempSync(join(tmpdir(), "gvn-turns-"));
  const ctx: LabContext = { settings: PROFILES.short, outDir, modes: [mode], log: (l) => console.error(l), probes: [] };
  const systems: RunningSystem[] = [];
  try {
    await startWarmedUp(ctx, systems, [{ scenario: "turns", id: mode, label: `turns ${mode}` }]);
    const system = systems[0]!;
    const pids = [...Object.values(system.session!.stack.servicePids()), process.pid].filter((p): p is number => p !== undefined);
    const sampler = new Worker(SAMPLER, { eval: true, workerData: { pids, everyMs } });
    const before = machineTicks();
    const r = await measureSaturation(system, { ...SATURATION, inFlight, drainTimeoutMs: ctx.settings.drainTimeoutMs }, `turns ${mode}`);
    const after = machineTicks();
    sampler.postMessage("stop");
    const counts = await new Promise<number[]>((resolve) => sampler.once("message", resolve));
    await sampler.terminate();
    const samples = counts.reduce((a, b) => a + (b ?? 0), 0);
    const share = (n: number) => `${Math.round((100 * (counts[n] ?? 0)) / samples)} %`;
    console.log(
      `${mode}, ${inFlight} orders in flight: ${r.throughputPerSec} completed a second; machine idle ${Math.round((100 * (after.idle - before.idle)) / (after.all - before.all))} %`,
    );
    console.log(`main threads running at once (${pids.length} threads, ${samples} samples): ${counts.map((_, n) => `${n}: ${share(n)}`).join(", ")}`);
  } finally {
    for (const s of systems) await s.stop();
    rmSync(outDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`turns failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
