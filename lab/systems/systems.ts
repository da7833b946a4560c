import { join } from "node:path";
import type { Mode } from "../../services/common/config.js";
import { RAW_OF, type CpuPerOrder, type SystemId } from "../results.js";
import { round2 } from "../report/format.js";
import type { NatsSync } from "../../testbed/nats-config.js";
import type { OtlpReceiver } from "../../testbed/otlp-receiver.js";
import { labOrder } from "../../testbed/load/lab-order.js";
import { runLoad, type LoadOptions, type LoadResult, type LoadTarget } from "../../testbed/load/load-generator.js";
import { machineBusyMs, mainThreadCpuMs, processCpuMs, processPeakRssMiB } from "../../testbed/proc-cpu.js";
import { startRawGrpcChain, startRawNatsChain } from "./raw-chains.js";
import { startWorkFloor } from "./work-floor.js";
import type { LabContext } from "../context.js";
import { openSession, type Session } from "./session.js";

/** How a mode's system is started: traced to a receiver, in the secure profile, on a cluster. */
export interface SystemOptions {
  receiver?: OtlpReceiver;
  secure?: boolean;
  cluster?: number;
  sync?: NatsSync;
  /** NATS: the broker's binary (default: the lab's nats-server). */
  natsServer?: string;
}

/** The systems of the selected modes, interleaved so that a mode and its bare chain run next to each other. */
export function systemsOf(modes: readonly Mode[]): SystemId[] {
  return modes.flatMap((m) => [m, RAW_OF[m]]);
}

/** CPU time (ms) used so far by each process of a system, and by its broker. */
export interface CpuReading {
  processes: Record<string, number>;
  /** The same for each process's main thread (its event loop), where read. */
  mainThreads?: Record<string, number>;
  broker?: number;
}

export function cpuPerOrder(before: CpuReading, after: CpuReading, orders: number): CpuPerOrder {
  const per = (ms: number) => (orders > 0 ? round2(ms / orders) : 0);
  const processes = Object.fromEntries(Object.keys(after.processes).map((k) => [k, per((after.processes[k] ?? 0) - (before.processes[k] ?? 0))]));
  const total = per(Object.keys(after.processes).reduce((sum, k) => sum + (after.processes[k] ?? 0) - (before.processes[k] ?? 0), 0));
  const broker = after.broker === undefined ? null : per(after.broker - (before.broker ?? 0));
  const threads = after.mainThreads;
  const mainThreads = threads && Object.fromEntries(Object.keys(threads).map((k) => [k, per((threads[k] ?? 0) - (before.mainThreads?.[k] ?? 0))]));
  return { processes, total, broker, ...(mainThreads ? { mainThreads } : {}) };
}

/**
 * Starts counting the CPU the machine spends on anything but `system` and the lab's own process (the
 * idle systems' background work, the machine's own, anything else running); the returned function
 * says how many ms so far. Contention from it slows the system measured, so a round that had much of
 * it is known.
 */
export function othersCpuMeter(system: Pick<RunningSystem, "cpu">): () => number {
  const ownMs = (c: CpuReading) => Object.values(c.processes).reduce((a, b) => a + b, 0) + (c.broker ?? 0);
  const machine = machineBusyMs();
  const own = ownMs(system.cpu());
  const lab = process.cpuUsage();
  return () => {
    const used = process.cpuUsage(lab);
    return Math.max(0, Math.round(machineBusyMs() - machine - (ownMs(system.cpu()) - own) - (used.user + used.system) / 1000));
  };
}

/** One system, started: its load target, its processes' CPU and memory, and (for a mode) its session. */
export interface RunningSystem {
  id: SystemId;
  target: LoadTarget;
  /** Drives the system with lab orders, each with an id of its own. */
  load(options: Omit<LoadOptions, "makeOrder" | "seed">): Promise<LoadResult>;
  /** A mode's session: audits, the stack; undefined for a bare chain. */
  session?: Session;
  cpu(): CpuReading;
  /** The highest resident set size each process has had so far (MiB). */
  peakRssMiB(): Record<string, number>;
  stop(): Promise<void>;
}

/** CPU and memory readings of a system's processes (by name) and of its broker's. */
export function processReader(pids: () => Record<string, number | undefined>, brokerPids: () => number[]) {
  return {
    cpu(): CpuReading {
      const now = Object.entries(pids());
      const processes = Object.fromEntries(now.map(([k, pid]) => [k, processCpuMs(pid) ?? 0]));
      const mainThreads = Object.fromEntries(now.map(([k, pid]) => [k, mainThreadCpuMs(pid) ?? 0]));
      const broker = brokerPids();
      // A cluster's broker CPU is that of all its nodes.
      return broker.length === 0
        ? { processes, mainThreads }
        : { processes, mainThreads, broker: broker.reduce((sum, pid) => sum + (processCpuMs(pid) ?? 0), 0) };
    },
    peakRssMiB(): Record<string, number> {
      return Object.fromEntries(Object.entries(pids()).map(([k, pid]) => [k, processPeakRssMiB(pid) ?? 0]));
    },
  };
}

/**
 * Starts a system afresh: a mode's three services (and broker), a bare chain, or the work floor
 * (the direct adapter: each order's own work with no transport). A mode is traced
 * when given a receiver, and runs the secure profile when `secure` (default: the lab's --secure).
 */
export async function startSystem(ctx: LabContext, scenario: string, id: SystemId, options: SystemOptions = {}): Promise<RunningSystem> {
  if (id === "grpc" || id === "nats") {
    const session = await openSession(ctx, scenario, id, options);
    const stack = session.stack;
    return {
      id,
      target: session.target,
      load: (options) => session.load(options),
      session,
      ...processReader(
        () => stack.servicePids(),
        () => stack.brokerPids(),
      ),
      stop: () => session.close(),
    };
  }
  const runId = `${scenario}-${id}-${Date.now().toString(36)}`;
  let next = 0;
  if (id === "floor") {
    const floor = await startWorkFloor(join(ctx.outDir, "data", `${scenario}-floor`));
    return {
      id,
      target: floor.target,
      load: (options) => runLoad(floor.target, { ...options, seed: ctx.settings.seed, makeOrder: () => labOrder(runId, next++) }),
      // The three cores share the lab's process; each one's CPU is counted around its own calls.
      cpu: () => ({ processes: { ...floor.cpu() } }),
      peakRssMiB: () => ({}),
      stop: () => floor.stop(),
    };
  }
  const chain = id === "rawGrpc" ? await startRawGrpcChain() : await startRawNatsChain(join(ctx.outDir, "data", `${scenario}-raw-nats`));
  return {
    id,
    target: chain.target,
    load: (options) => runLoad(chain.target, { ...options, seed: ctx.settings.seed, makeOrder: () => labOrder(runId, next++) }),
    ...processReader(
      () => chain.pids(),
      () => [chain.brokerPid()].filter((p): p is number => p !== undefined),
    ),
    stop: () => chain.stop(),
  };
}
