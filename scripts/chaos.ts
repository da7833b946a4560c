// npm run chaos -- [--seed N] [--modes grpc,nats] [--duration 2m] [--rate 20] [--dry-run] [--schedule FILE] [--out DIR]
// Both modes through the same kind of seeded schedule of combined faults (kills, pauses, isolated
// hosts; for NATS also a 3-node cluster's nodes cut from their peers, killed, paused, and part-kills),
// every process on a host of its own (root), then every order audited. --dry-run prints the schedules
// as JSON on stdout and runs nothing; --schedule FILE replays the schedules of such a JSON (or of a
// run's chaos.json). Writes DIR/chaos.json (default reports/chaos-<time>/) and prints a table.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { MODES, type Mode } from "../services/common/config.js";
import { CHAOS_AUDIT_ROWS, runChaos, type ChaosAudit } from "../testbed/chaos/run.js";
import { drawSchedule, type ChaosFault } from "../testbed/chaos/schedule.js";
import { durationMs as parseDurationMs } from "../testbed/duration.js";
import { describeNatsServer } from "../testbed/nats-server.js";
import { LabNet, labNetUnavailable } from "../testbed/net/lab-net.js";

interface Schedules {
  seed: number;
  durationMs: number;
  modes: Partial<Record<Mode, { schedule: ChaosFault[] }>>;
}

function modesOf(value: string | undefined): Mode[] {
  if (!value) return [...MODES];
  const items = value.split(",").map((s) => s.trim());
  for (const m of items)
    if (!(MODES as readonly string[]).includes(m)) throw new Error(`--modes: unknown ${JSON.stringify(m)}; choose from ${MODES.join(", ")}`);
  return items as Mode[];
}

/** The schedules to run: drawn from the seed, or read from a file (--schedule). */
function schedules(values: { seed?: string; duration?: string; schedule?: string }, modes: Mode[]): Schedules {
  if (values.schedule) {
    let given: Schedules;
    try {
      given = JSON.parse(readFileSync(values.schedule, "utf8")) as Schedules;
    } catch (err) {
      throw new Error(`--schedule: ${values.schedule} is not a chaos schedule's JSON: ${(err as Error).message}`, { cause: err });
    }
    for (const m of modes) if (!given.modes?.[m]?.schedule) throw new Error(`--schedule: ${values.schedule} has no schedule for ${m} (modes.${m}.schedule)`);
    return given;
  }
  const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed);
  if (!Number.isInteger(seed) || seed < 0) throw new Error(`--seed: ${JSON.stringify(values.seed)} must be a whole number of 0 or more`);
  const durationMs = parseDurationMs(values.duration ?? "2m", "--duration");
  return { seed, durationMs, modes: Object.fromEntries(modes.map((mode) => [mode, { schedule: drawSchedule({ seed, mode, durationMs }) }])) };
}

function table(audits: readonly ChaosAudit[]): string {
  const rows = CHAOS_AUDIT_ROWS;
  const width = Math.max(...rows.map(([k]) => k.length));
  return [
    `${"".padEnd(width)}  ${audits.map((a) => a.mode.padEnd(12)).join("  ")}`,
    ...rows.map(([k, f]) => `${k.padEnd(width)}  ${audits.map((a) => String(f(a)).padEnd(12)).join("  ")}`),
  ].join("\n");
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seed: { type: "string" },
      modes: { type: "string" },
      duration: { type: "string" },
      rate: { type: "string", default: "20" },
      "dry-run": { type: "boolean", default: false },
      schedule: { type: "string" },
      out: { type: "string" },
    },
  });
  const modes = modesOf(values.modes);
  const plan = schedules(values, modes);
  if (values["dry-run"]) {
    process.stdout.write(`${JSON.stringify(plan, null, 2)}\n`);
    return;
  }
  const why = labNetUnavailable();
  if (why) throw new Error(`every process needs a host of its own: ${why}`);
  const rate = Number(values.rate);
  if (!Number.isFinite(rate) || rate <= 0) throw new Error(`--rate: ${JSON.stringify(values.rate)} must be a number of orders a second above 0`);
  const outDir = resolve(values.out ?? join("reports", `chaos-${new Date().toISOString().replace(/[:.]/g, "-")}`));
  mkdirSync(outDir, { recursive: true });
  process.stderr.write(`[chaos] seed ${plan.seed}; ${describeNatsServer()}\n`);
  const net = LabNet.create();
  const audits: ChaosAudit[] = [];
  try {
    for (const mode of modes)
      audits.push(
        (
          await runChaos({
            mode,
            seed: plan.seed,
            schedule: plan.modes[mode]!.schedule,
            durationMs: plan.durationMs,
            rate,
            net,
            dataDir: join(outDir, "data", mode),
            log: (l) => process.stderr.write(`${l}\n`),
          })
        ).audit,
      );
  } finally {
    net.close();
  }
  const results = { seed: plan.seed, durationMs: plan.durationMs, modes: Object.fromEntries(audits.map((a) => [a.mode, a])) };
  writeFileSync(join(outDir, "chaos.json"), JSON.stringify(results, null, 2));
  console.log(
    `seed ${plan.seed}\n${table(audits)}\n\nSchedules and audits: ${join(outDir, "chaos.json")} (replay: npm run chaos -- --schedule ${join(outDir, "chaos.json")})`,
  );
  const bad = audits.filter((a) => a.lost + a.duplicated + a.falseSuccess + a.stuck > 0);
  if (bad.length > 0)
    throw new Error(`${bad.map((a) => a.mode).join(" and ")}: orders lost, duplicated, falsely reported or stuck; see ${join(outDir, "chaos.json")}`);
}

main().catch((err: unknown) => {
  process.stderr.write(`chaos: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
