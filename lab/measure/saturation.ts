import type { CpuPerOrder } from "../results.js";
import { cpuPerOrder, othersCpuMeter, type RunningSystem } from "../systems/systems.js";
import { mainThreadCpuMs } from "../../testbed/proc-cpu.js";

/** How a saturating closed loop measures a system's throughput. */
export interface SaturationSettings {
  /** Orders in the system at once: enough that it always has work, few enough that it queues little. */
  inFlight: number;
  /** Loaded but not counted: until the system has filled up. */
  settleMs: number;
  /** Completions in this window after the settling count. */
  windowMs: number;
  drainTimeoutMs: number;
}

export interface SaturationResult {
  /** Orders completed per second in the window. */
  throughputPerSec: number;
  completed: number;
  errors: number;
  /** Completion p99 over the whole run (ms): what a client with `inFlight` orders out waits. */
  p99Ms: number;
  cpu: CpuPerOrder;
  /** CPU ms per order of the lab's own process (the load generator and the client), which shares the cores. */
  clientCpuMsPerOrder: number;
  /** The part of it on the lab's main thread (the client's event loop). */
  clientMainThreadMsPerOrder: number;
  /**
   * CPU ms the machine spent during the run on anything but the system and the lab's process: the
   * other systems' background work (their collectors, timers, flushes) and the machine's own.
   */
  othersCpuMs: number;
}

/** The saturating loop as the lab runs it: 64 orders in the system, a second to fill up, four counted. */
export const SATURATION: Omit<SaturationSettings, "drainTimeoutMs"> = { inFlight: 64, settleMs: 1_000, windowMs: 4_000 };

/** The ceiling of the send schedule: far above any system's throughput here, so that only completions pace the loop. */
const CEILING_RATE = 20_000;

/**
 * A system's saturation throughput: `inFlight` orders kept in the system, each replaced as soon as
 * it is complete, and the completions counted over a window after the system has filled up. Every
 * order waits for its completion, so the backlog stays at `inFlight` in both styles.
 */
export async function measureSaturation(system: RunningSystem, s: SaturationSettings, label: string): Promise<SaturationResult> {
  const before = system.cpu();
  const others = othersCpuMeter(system);
  const client = process.cpuUsage();
  const clientMain = mainThreadCpuMs(process.pid) ?? 0;
  const r = await system.load({
    rate: CEILING_RATE,
    durationMs: s.settleMs + s.windowMs,
    saturate: { inFlight: s.inFlight },
    drainTimeoutMs: s.drainTimeoutMs,
    progressLabel: `${label} saturated at ${s.inFlight} in flight`,
  });
  const used = process.cpuUsage(client);
  const othersCpuMs = others();
  const after = system.cpu();
  const usedMain = (mainThreadCpuMs(process.pid) ?? 0) - clientMain;
  const inWindow = r.orders.filter((o) => o.completedAt !== undefined && o.completedAt >= s.settleMs && o.completedAt < s.settleMs + s.windowMs).length;
  return {
    throughputPerSec: Math.round((inWindow * 1000) / s.windowMs),
    completed: r.completed,
    errors: Object.values(r.errors).reduce((a, b) => a + b, 0),
    p99Ms: r.complete.p99,
    cpu: cpuPerOrder(before, after, r.completed),
    clientCpuMsPerOrder: r.completed > 0 ? Math.round(((used.user + used.system) / 1000 / r.completed) * 100) / 100 : 0,
    clientMainThreadMsPerOrder: r.completed > 0 ? Math.round((usedMain / r.completed) * 100) / 100 : 0,
    othersCpuMs,
  };
}
