import { join } from "node:path";
import type { CpuPerOrder, LoadSummary, SystemId } from "../results.js";
import type { LabContext } from "../context.js";
import { withoutOrders, type OrderOutcome } from "../../testbed/load/load-generator.js";
import { probeNoise } from "./noise-probe.js";
import { seededRandom } from "../../testbed/load/schedule.js";
import { NO_SHARE, RoundsPastCap, type RoundShare } from "./round-budget.js";
import { washOut } from "./wash-out.js";
import { cpuPerOrder, othersCpuMeter, startSystem, type RunningSystem, type SystemOptions } from "../systems/systems.js";

/** One system's measurement in one round. */
export interface MeasuredRound {
  load: LoadSummary;
  cpu: CpuPerOrder;
  /** CPU ms per order of the lab's own process: the load generator and the client, which share the machine's cores. */
  clientCpuMsPerOrder: number;
  /** CPU ms the machine spent meanwhile on anything but the system and the lab's process (othersCpuMeter). */
  othersCpuMs: number;
  orders: OrderOutcome[];
}

/** Unmeasured load first, so that JIT compilation and first-use costs are not charged to orders. */
export async function warmUp(ctx: LabContext, system: RunningSystem, label: string): Promise<OrderOutcome[]> {
  const s = ctx.settings;
  const r = await system.load({ rate: s.warmupRate, durationMs: s.warmupMs, drainTimeoutMs: s.drainTimeoutMs, progressLabel: `${label} warm-up` });
  return r.orders;
}

/** A system a scenario starts: under which scenario name its processes log, what it is, and its warm-up's label. */
export interface SystemToStart {
  scenario: string;
  id: SystemId;
  options?: SystemOptions;
  label: string;
}

/**
 * Starts a scenario's systems side by side (their processes boot and connect at once, which takes
 * far less than one after the other), then warms each up in turn, alone on the machine. Every system
 * that started is added to `into`, in the list's order, so that the caller's `finally` stops it even
 * when another failed to start. Returns each one's warm-up orders.
 */
export async function startWarmedUp(ctx: LabContext, into: RunningSystem[], list: readonly SystemToStart[]): Promise<OrderOutcome[][]> {
  const started = await Promise.allSettled(list.map((x) => startSystem(ctx, x.scenario, x.id, x.options)));
  for (const r of started) if (r.status === "fulfilled") into.push(r.value);
  const failed = started.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed) throw failed.reason;
  const warmed: OrderOutcome[][] = [];
  for (const [i, x] of list.entries()) warmed.push(await warmUp(ctx, into[into.length - list.length + i]!, x.label));
  return warmed;
}

export interface RoundsPlan {
  label: string;
  rate: number;
  durationMs: number;
  /** Rounds always taken, and the most taken while a comparison is open. */
  min: number;
  max: number;
  /**
   * After each round from `min` on: the systems (their indices) whose comparisons are still open.
   * Only they are measured in the rounds that follow; when none is, the rounds end.
   */
  open(rounds: MeasuredRound[][]): readonly number[];
  /** Rounds past `max`, up to `upTo`, each taken only while the scenario's share of the run's round budget lasts. */
  beyond?: { upTo: number; share: RoundShare };
}

/** `open` for a plan whose comparisons need every system: all of them, or none once `done`. */
export const allOpenUnless = (done: boolean, systems: number): number[] => (done ? [] : [...Array(systems).keys()]);

/**
 * Measures running, warmed-up systems in rounds: each round probes the machine's
 * noise, then loads every open system in turn at the same rate, so that a slow moment
 * falls on all of them. Rounds go on while the plan has open comparisons, up to its cap,
 * and past it while its round budget lasts. Returns each system's rounds, in the systems' order;
 * a system that was decided early has fewer.
 */
export async function measureRounds(
  ctx: LabContext,
  systems: readonly RunningSystem[],
  plan: RoundsPlan,
  names: readonly string[],
): Promise<MeasuredRound[][]> {
  const s = ctx.settings;
  const rounds: MeasuredRound[][] = systems.map(() => []);
  const pastCap = new RoundsPastCap(systems.length, plan.max, plan.beyond?.share ?? NO_SHARE);
  let open: readonly number[] = [...systems.keys()];
  for (let round = 1; round <= Math.max(plan.max, plan.beyond?.upTo ?? 0); round++) {
    const refusal = pastCap.refusal(round, open);
    if (refusal) {
      ctx.log(`[${plan.label}] ${refusal}: stopping`);
      break;
    }
    const roundStarted = performance.now();
    ctx.probes.push(probeNoise(join(ctx.outDir, "data", "probe"), `${plan.label} round ${round}`));
    for (const [, i] of inRoundOrder(open, round, s.roundOrderSeed)) {
      const system = systems[i]!;
      const turnStarted = performance.now();
      await washOut();
      const before = system.cpu();
      const others = othersCpuMeter(system);
      const client = process.cpuUsage();
      const r = await system.load({
        rate: plan.rate,
        durationMs: plan.durationMs,
        drainTimeoutMs: s.drainTimeoutMs,
        progressLabel: `${plan.label} ${names[i]} round ${round}`,
      });
      const used = process.cpuUsage(client);
      const clientCpuMsPerOrder = r.completed > 0 ? Math.round(((used.user + used.system) / 1000 / r.completed) * 100) / 100 : 0;
      rounds[i]!.push({
        load: withoutOrders(r),
        cpu: cpuPerOrder(before, system.cpu(), r.completed),
        clientCpuMsPerOrder,
        othersCpuMs: others(),
        orders: r.orders,
      });
      pastCap.turn(i, performance.now() - turnStarted);
    }
    pastCap.ended(round, performance.now() - roundStarted);
    if (round >= plan.min) open = plan.open(rounds);
    if (open.length === 0) break;
  }
  return rounds;
}

/**
 * The systems in the order a round measures them. Rounds come in pairs: the first of a pair takes
 * them in an order drawn at random (seeded), the second in the reverse of that order. The reversal
 * puts each system early and late equally often within every pair, so a drift within a round falls
 * out of a comparison's mean; the draw gives each system different neighbours from pair to pair.
 * With a fixed order (listed, then reversed), a system's A/A arm always had other neighbours than
 * its first arm, and NATS's A/A arm cost less than its first arm in 11 of 11 rounds in three runs
 * (0.68 to 0.99 of it; in one run a decided difference, 0.79). A system's CPU per order may depend
 * on what ran just before it, so no arm may always have the same neighbours and another never.
 */
export function inRoundOrder<T>(systems: readonly T[], round: number, seed: number): [number, T][] {
  const random = seededRandom((seed ^ Math.imul(Math.ceil(round / 2), 0x9e3779b1)) >>> 0);
  const order = [...systems.entries()];
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return round % 2 === 0 ? order.reverse() : order;
}

/** CPU per order of the services and the broker together. */
export const cpuTotal = (c: CpuPerOrder) => Math.round((c.total + (c.broker ?? 0)) * 100) / 100;

/** Of several rounds, the one whose CPU per order (or `value`) is closest to their median: the one a report shows. */
export function closestToMedian<T extends { cpu: CpuPerOrder }>(runs: readonly T[], median: number, value: (r: T) => number = (r) => cpuTotal(r.cpu)): T {
  return runs.reduce((best, r) => (Math.abs(value(r) - median) < Math.abs(value(best) - median) ? r : best), runs[0]!);
}
