import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { machineTicks } from "../../testbed/proc-cpu.js";

/** How long a wash-out may take at most, and when the machine counts as quiet. */
export interface WashOutSettings {
  maxMs: number;
  everyMs: number;
  /** The share of the machine's cores busy, over everyMs, under which it counts as quiet. */
  quietBusyShare: number;
}
export const WASH_OUT: WashOutSettings = { maxMs: 3_000, everyMs: 100, quietBusyShare: 0.15 };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Between two systems' turns in a round: what the last one left behind is finished before the next
 * one is measured. Its files' dirty pages are written out (`sync`), then the machine is given until
 * it is quiet again (under 15 % of its cores busy over 100 ms), at most 3 s. Without it, a system
 * measured right after NATS's saturated run (two files per order, over a thousand orders a second)
 * paid for what that run left: in one run gRPC completed 368-560 orders a second saturated right
 * after NATS and 528-736 right after itself; with it, in another, 448-496 and 512-544. What remains
 * the reversed order of every other round (inRoundOrder) takes out of a comparison's mean.
 */
export async function washOut(s: WashOutSettings = WASH_OUT): Promise<void> {
  const deadline = Date.now() + s.maxMs;
  await promisify(execFile)("sync").catch(() => undefined);
  let before = machineTicks();
  while (Date.now() < deadline) {
    await sleep(s.everyMs);
    const now = machineTicks();
    const all = now.all - before.all;
    if (all > 0 && 1 - (now.idle - before.idle) / all < s.quietBusyShare) return;
    before = now;
  }
}
