// npm run floor -- [--rate 100] [--duration 10s] [--rounds 3] [--modes grpc,nats]
// What one order's own work costs (lab/systems/work-floor.ts), next to the bare transport chains and,
// with --modes, the modes themselves, at one fixed rate in interleaved rounds: how much of a mode's
// CPU per order is the transport, how much the work every order must do, and how much the rest.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { isMode, type Mode } from "../services/common/config.js";
import { labOrder } from "../testbed/load/lab-order.js";
import { startStack } from "../testbed/stack/start-stack.js";
import { runLoad, type LoadTarget } from "../testbed/load/load-generator.js";
import { medianAndSpread } from "../lab/stats.js";
import { SYSTEM_NAME, type CpuPerOrder } from "../lab/results.js";
import { startRawGrpcChain, startRawNatsChain } from "../lab/systems/raw-chains.js";
import { cpuPerOrder, processReader, type CpuReading } from "../lab/systems/systems.js";
import { stackTarget } from "../testbed/load/targets.js";
import { startWorkFloor } from "../lab/systems/work-floor.js";
import { durationMs } from "../testbed/duration.js";
import { ensureNatsServer } from "../testbed/nats-server.js";

/** A system under measurement: its target, and its CPU so far (ms) per part, broker apart. */
interface Measured {
  name: string;
  target: LoadTarget;
  cpu(): CpuReading;
  stop(): Promise<void>;
}

const ms = (v: number) => v.toFixed(2);
const FLOOR = "work floor";

async function startMode(mode: Mode): Promise<Measured> {
  const dataDir = mkdtempSync(join(tmpdir(), `gvn-floor-${mode}-`));
  const stack = await startStack({
    where: "processes",
    mode,
    dataDir,
    logFile: join(dataDir, "services.log"),
  });
  const target = await stackTarget(stack);
  const reader = processReader(
    () => stack.servicePids(),
    () => stack.brokerPids(),
  );
  return {
    name: `${SYSTEM_NAME[mode]} mode`,
    target,
    cpu: () => reader.cpu(),
    async stop() {
      await target.close();
      await stack.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rate: { type: "string", default: "100" },
      duration: { type: "string", default: "10s" },
      rounds: { type: "string", default: "3" },
      modes: { type: "string", default: "" },
    },
  });
  const rate = Number(values.rate);
  if (!(rate > 0)) throw new Error(`--rate: ${JSON.stringify(values.rate)} is not a positive number`);
  const rounds = Number(values.rounds);
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds: ${JSON.stringify(values.rounds)} is not a positive whole number`);
  const modes = values.modes.split(",").filter(Boolean);
  for (const m of modes) if (!isMode(m)) throw new Error(`--modes: ${JSON.stringify(m)} is not grpc or nats`);
  ensureNatsServer();

  const systems: Measured[] = [];
  try {
    const floor = await startWorkFloor();
    systems.push({ name: FLOOR, target: floor.target, cpu: () => ({ processes: { ...floor.cpu() } }), stop: () => floor.stop() });
    for (const [name, start] of [
      [SYSTEM_NAME.rawGrpc, startRawGrpcChain],
      [SYSTEM_NAME.rawNats, startRawNatsChain],
    ] as const) {
      const chain = await start();
      const reader = processReader(
        () => chain.pids(),
        () => [chain.brokerPid()].filter((p): p is number => p !== undefined),
      );
      systems.push({ name, target: chain.target, cpu: () => reader.cpu(), stop: () => chain.stop() });
    }
    for (const m of modes as Mode[]) systems.push(await startMode(m));

    const runId = `floor-${Date.now().toString(36)}`;
    let next = 0;
    const makeOrder = () => labOrder(runId, next++);
    // Warm every system (JIT, caches, the databases' first pages) before anything is measured.
    for (const s of systems) await runLoad(s.target, { rate: 300, durationMs: 4000, makeOrder, progressLabel: `warm-up ${s.name}` });
    const results = new Map<string, CpuPerOrder[]>();
    for (let r = 0; r < rounds; r++) {
      // Alternate the order of the systems from round to round, so no system always runs after the same neighbour.
      for (const s of r % 2 === 0 ? systems : [...systems].reverse()) {
        const before = s.cpu();
        const res = await runLoad(s.target, {
          rate,
          durationMs: durationMs(values.duration),
          makeOrder,
          progressLabel: `${s.name} @${rate}/s, round ${r + 1}`,
        });
        const after = s.cpu();
        if (res.completed === 0) throw new Error(`${s.name}: no order completed at ${rate}/s`);
        results.set(s.name, [...(results.get(s.name) ?? []), cpuPerOrder(before, after, res.completed)]);
      }
    }

    console.log(`\nCPU ms per order at ${rate}/s, median of ${rounds} interleaved rounds (range):`);
    const totals = new Map<string, number>();
    const median = (rs: readonly CpuPerOrder[], pick: (r: CpuPerOrder) => number) => medianAndSpread(rs.map(pick)).median;
    for (const s of systems) {
      const rs = results.get(s.name)!;
      const all = medianAndSpread(rs.map((r) => r.total + (r.broker ?? 0)));
      totals.set(s.name, all.median);
      const parts = Object.keys(rs[0]!.processes)
        .map((k) => `${k} ${ms(median(rs, (r) => r.processes[k]!))}`)
        .join(", ");
      const broker = rs[0]!.broker === null ? "" : ` + broker ${ms(median(rs, (r) => r.broker!))}`;
      console.log(`  ${s.name.padEnd(16)} ${ms(all.median)} (${ms(all.min)}-${ms(all.max)}): ${ms(median(rs, (r) => r.total))}${broker}; ${parts}`);
    }
    const floorMs = totals.get(FLOOR)!;
    const bareGrpc = totals.get(SYSTEM_NAME.rawGrpc)!;
    const bareNats = totals.get(SYSTEM_NAME.rawNats)!;
    console.log(
      `\nThe work floor is ${ms(floorMs)} ms: a mode spends about its bare chain plus that, plus what joins the two. ` +
        `gRPC at 1.5x its bare chain leaves ${ms(0.5 * bareGrpc)} ms above the chain, ${ms((100 * floorMs) / (0.5 * bareGrpc))}% of it taken by the work; ` +
        `NATS at 2.0x (broker included) leaves ${ms(bareNats)} ms, ${ms((100 * floorMs) / bareNats)}% of it taken by the work.`,
    );
  } finally {
    for (const s of systems) await s.stop();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`floor: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
